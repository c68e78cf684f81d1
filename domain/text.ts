/**
 * Text that crosses an edge — a reason, a batch name, a search, a CSV document, a signed command's argument
 * — is checked by one rule before anything stores it or a workflow acts on it. PostgreSQL refuses NUL in text
 * (an error that no retry cures); other control characters and bidirectional overrides let a value look
 * different from what it is in a terminal, a log or the console; a lone surrogate is not Unicode at all.
 *
 * Pure, no dependencies: the HTTP edge (contract/text.ts) and the workflows (which check their signed
 * inputs again) use the same function.
 */

/** A line of text (a reason, a name) or a document (a CSV file: line breaks allowed, CR included). */
export type TextKind = 'line' | 'multiline' | 'document';

// C0 controls but tab (and, per kind, LF / CR), DEL, and C1 controls.
const CONTROL = {
  line: /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/,
  multiline: /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/,
  document: /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/,
};
// LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI: they reorder what a reader sees (CVE-2021-42574, "Trojan Source").
const BIDI = /[\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * What is wrong with a text, as a phrase for a one-line message ("contains a NUL character (U+0000): ..."),
 * or null when it may be taken. Length is the caller's (it knows the field).
 */
export function textProblem(value: string, kind: TextKind = 'line'): string | null {
  const control = CONTROL[kind].exec(value);
  if (control) {
    const c = control[0];
    const name =
      c === '\u0000' ? 'a NUL character' : c === '\n' || c === '\r' ? 'a line break' : 'a control character';
    const allowed =
      kind === 'line' ? 'tab' : kind === 'multiline' ? 'tab and line feed' : 'tab and line breaks';
    return `contains ${name} (${codePoint(c)}) at position ${control.index + 1}: remove it (only ${allowed} are allowed among control characters)`;
  }
  const bidi = BIDI.exec(value);
  if (bidi)
    return `contains a bidirectional override (${codePoint(bidi[0])}) at position ${bidi.index + 1}, which changes how the text reads: remove it`;
  const lone = LONE_SURROGATE.exec(value);
  if (lone)
    return `contains a broken character (a lone UTF-16 surrogate, ${codePoint(lone[0])}) at position ${lone.index + 1}: send valid Unicode`;
  return null;
}

/** The text as stored and compared: Unicode NFC (so 'é' typed two ways is one name). */
export const normalizeText = (value: string): string => value.normalize('NFC');

/**
 * A text made storable whatever it holds (a failure a platform or a child workflow reported): the characters
 * the edge refuses are replaced by U+FFFD, and it is cut to `max`. For what the tool writes of others' words.
 */
export function scrubText(value: string, max = 1000): string {
  const cleaned = value.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '\ufffd',
  );
  return normalizeText(cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned);
}

/** A text as a message may quote it: what the rule refuses shown as \u{…}, so a quote never carries a control or an override. */
export function visible(value: string, max = 40): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return cut.replace(
    /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => `\\u{${c.charCodeAt(0).toString(16).toUpperCase()}}`,
  );
}

/** What is stored instead of a text the database refused (a lifecycle machine's recovery). */
export const notStored = (failure: string) =>
  `(the text given could not be stored: ${scrubText(failure, 200)})`;

/** A checked, normalised text, or the reason it cannot be taken (for workflow inputs: no exceptions). */
export function cleanText(
  value: unknown,
  opts: { kind?: TextKind; max: number; min?: number },
): { ok: true; text: string } | { ok: false; problem: string } {
  if (typeof value !== 'string') return { ok: false, problem: 'is not text' };
  const problem = textProblem(value, opts.kind);
  if (problem) return { ok: false, problem };
  const text = normalizeText(value);
  if (text.length > opts.max)
    return { ok: false, problem: `is ${text.length} characters long: at most ${opts.max}` };
  if (opts.min !== undefined && text.length < opts.min)
    return { ok: false, problem: `is too short: at least ${opts.min} characters` };
  return { ok: true, text };
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
/** The one HTML escaper (the console's templates, the appendix, reports): text never becomes markup. */
export const escapeHtml = (v: unknown): string => String(v).replace(/[&<>"']/g, (c) => ENTITIES[c]);
