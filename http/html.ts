/**
 * HTML that escapes by default: every value put into an `html` template is escaped unless it is itself
 * `html` (a fragment built the same way). Nothing a participant, an operator or a platform wrote can
 * become markup in the console or a report. The escaper itself is domain/text.ts's (the appendix uses it too).
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

import { escapeHtml } from '../domain/text';

export { escapeHtml };

function piece(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(piece).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(v);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  values.forEach((v, i) => {
    out += piece(v) + strings[i + 1];
  });
  return new Html(out);
}

/** A query string from the entries that have a value. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** A constant of the console's own source as markup (never a value from a request or the database). */
export const trusted = (markup: string): Html => new Html(markup);
