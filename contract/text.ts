import { z } from 'zod';
import { normalizeText, textProblem, visible, type TextKind } from '../domain/text';

/**
 * The one schema for text that crosses the control API's, the console's and the portal's edge. Every string
 * a route takes (path, query, body) is one of these, or an identifier with its pattern (below); the HTTP
 * layer refuses to register a route with any other string (http/schema-walk.ts), so no route can forget it.
 * A refusal says what was wrong, in one line: 400, and nothing happens.
 */
export function text(opts: {
  max: number;
  min?: number;
  kind?: TextKind;
  trim?: boolean;
  tooShort?: string;
  description?: string;
}) {
  const kind = opts.kind ?? 'line';
  let s = z
    .string()
    .superRefine((v, ctx) => {
      const problem = textProblem(v, kind);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, abort: true });
    })
    .overwrite((v) => normalizeText(opts.trim === false ? v : v.trim()));
  if (opts.min) s = s.min(opts.min, opts.tooShort ?? `must be at least ${opts.min} characters`);
  s = s.max(opts.max, `must be at most ${opts.max} characters`);
  // The rule as a pattern too, so the OpenAPI document says what the edge refuses (the check above gives the message).
  return s.meta({
    'x-text': kind,
    pattern: PATTERN[kind],
    ...(opts.description ? { description: opts.description } : {}),
  });
}

const PATTERN: Record<TextKind, string> = {
  line: '^[^\\u0000-\\u0008\\u000A-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$',
  multiline: '^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$',
  document: '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$',
};

/** An identifier: a pattern says all it may be, so no control character, override or surrogate can be in it. */
export function identifier(pattern: RegExp, what: string, max: number) {
  const refused = (iss: { input?: unknown }) => `'${visible(String(iss.input))}' is not ${what}`;
  return z
    .string()
    .max(max, { error: refused })
    .regex(pattern, { error: refused })
    .meta({ description: what });
}

export const BATCH_ID = /^[A-Za-z0-9_-]{1,32}$/;
export const FOLDER_CODE = /^[A-Za-z0-9-]{1,16}$/;
export const PARTICIPANT_CODE = /^\d{5}$/;

export const batchId = identifier(BATCH_ID, 'a batch id: 1-32 letters, digits, _ or -', 32);
/** A rehearsal's id: its batch's id, -R and the UTC instant it started (B1-R20260603101500123). */
export const REHEARSAL_ID = /^[A-Za-z0-9_-]{1,32}-R\d{17}$/;
export const rehearsalId = identifier(
  REHEARSAL_ID,
  'a rehearsal id: the batch id, -R and 17 digits (e.g. B1-R20260603101500123)',
  52,
);
export const folderCode = identifier(FOLDER_CODE, 'a folder code: letters, digits and -, at most 16', 16);
export const participantCode = identifier(
  PARTICIPANT_CODE,
  'a participant code: 5 digits, leading zeros kept (e.g. 01234)',
  5,
);

/** Why an operator did something: shown to other operators and kept in the audit trail. */
export const reason = text({ max: 1000, min: 3, tooShort: 'must say why (at least 3 characters)' });
/** A time as a person types it: "YYYY-MM-DD HH:mm" Hong Kong time, or an ISO instant. */
export const when = text({
  max: 64,
  min: 1,
  tooShort: 'give the time: "YYYY-MM-DD HH:mm" Hong Kong time, or an ISO instant',
  description: '"YYYY-MM-DD HH:mm" Hong Kong time, or an ISO instant',
});
