import { z } from 'zod';
import { isIsoDate } from '../../domain/intake-rules';

/**
 * The simulator's field schemas, one per kind of value, applied by the route table (never re-checked in a
 * handler). Free text refuses what a platform's database cannot hold or a log cannot show: control characters
 * (NUL among them) and unpaired surrogates.
 */
const CONTROL = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const text = (what: string, max: number, opts: { trim?: boolean } = {}) =>
  (opts.trim
    ? z.string({ error: `${what} must be text` }).trim()
    : z.string({ error: `${what} must be text` })
  )
    .min(1, `${what} is required`)
    .max(max, `${what} is at most ${max} characters`)
    .refine((s) => !CONTROL.test(s) && !LONE_SURROGATE.test(s), `${what} must hold no control character`);

const pattern = (re: RegExp, message: string) => z.string({ error: message }).regex(re, message);

export const folderCode = pattern(
  /^[A-Za-z0-9-]{1,16}$/,
  'the folder code is letters, digits and -, at most 16',
).transform((c) => c.toUpperCase());
export const participantCode = (what = 'participant') =>
  pattern(/^\d{5}$/, `${what} must be a 5-digit participant code`);
// No whitespace, no control character, no '/': an address a platform could have registered.
export const email = (what = 'the user') =>
  pattern(
    /^[^\s@/\x00-\x1f\x7f]{1,64}@[^\s@/\x00-\x1f\x7f]{1,190}$/,
    `${what} must be an email address`,
  ).transform((e) => e.toLowerCase());
export const filename = pattern(/^[\w.-]{1,200}$/, 'filename must be 1-200 letters, digits, ".", "_" or "-"');
export const isoDate = (what: string) =>
  z
    .string({ error: `${what} must be a date YYYY-MM-DD` })
    .refine(isIsoDate, `${what} must be a date YYYY-MM-DD`);
// Canonical base64 only: garbage is refused, never stored with the checksum of what it decoded to.
export const base64 = pattern(
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
  'contentBase64 must be the file in base64 (A-Z, a-z, 0-9, +, /, padded with =)',
);
export const functionName = pattern(/^[A-Z_]{1,32}$/, 'a function name is capital letters and _, at most 32');

/** Path parameters of a folder route. */
export const folderParams = z.object({ code: folderCode });
