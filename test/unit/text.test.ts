import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { API } from '../../contract/api';
import { reason, text } from '../../contract/text';
import { cleanText, escapeHtml, scrubText, textProblem } from '../../domain/text';
import { stringsWithoutTextRule } from '../../http/schema-walk';

const HOSTILE: [string, string, RegExp][] = [
  ['a NUL', 'stop\u0000now', /NUL character \(U\+0000\) at position 5/],
  ['a bell', 'ring\u0007', /control character \(U\+0007\)/],
  ['an escape sequence', '\u001b[31mred', /control character \(U\+001B\)/],
  ['a C1 control', 'x\u0085y', /control character \(U\+0085\)/],
  ['a right-to-left override', 'abc\u202egnp.exe', /bidirectional override \(U\+202E\)/],
  ['a first-strong isolate', 'a\u2068b', /bidirectional override \(U\+2068\)/],
  ['a lone high surrogate', 'x\ud800', /lone UTF-16 surrogate, U\+D800/],
  ['a lone low surrogate', '\udc00x', /lone UTF-16 surrogate, U\+DC00/],
  ['a line break in a line', 'two\nlines', /line break \(U\+000A\)/],
];

describe('the edge text rule', () => {
  it.each(HOSTILE)('refuses %s, saying what and where', (_what, value, message) => {
    expect(textProblem(value, 'line')).toMatch(message);
    const parsed = reason.safeParse(value);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0].message).toMatch(message);
  });

  it('takes ordinary text in both languages, tabs, emoji (surrogate pairs) and, in a document, line breaks', () => {
    for (const ok of ['Stamp Duty Daily Return', '印花稅每日申報表', 'tab\there', 'ok 👍', 'Ünïcödé'])
      expect(textProblem(ok), ok).toBeNull();
    expect(textProblem('a,b\r\nc,d\n', 'document')).toBeNull();
    expect(textProblem('a\u0000b', 'document')).toMatch(/NUL/);
    expect(textProblem('line\nbreak', 'multiline')).toBeNull();
    expect(textProblem('cr\rbreak', 'multiline')).toMatch(/U\+000D/);
  });

  it('normalises to NFC and trims, then counts the length', () => {
    const decomposed = 'Cafe\u0301';
    expect(cleanText(decomposed, { max: 10 })).toEqual({ ok: true, text: 'Café' });
    expect(text({ max: 10 }).parse(`  ${decomposed}  `)).toBe('Café');
    expect(text({ max: 4 }).safeParse('abcde').error!.issues[0].message).toBe('must be at most 4 characters');
    expect(reason.safeParse(' x ').error!.issues[0].message).toBe('must say why (at least 3 characters)');
    expect(cleanText(42, { max: 10 })).toEqual({ ok: false, problem: 'is not text' });
  });

  it('scrubs what others wrote into storable text, and escapes HTML once for everyone', () => {
    expect(scrubText('bad\u0000byte \u202eflip \ud800')).toBe('bad\ufffdbyte \ufffdflip \ufffd');
    expect(scrubText('x'.repeat(20), 10)).toBe('xxxxxxxxx…');
    expect(textProblem(scrubText('any\u0000thing\u0007'))).toBeNull();
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('the route table holds every string to the rule', () => {
  it('every string each control-API route takes (path, query, body) is a text() or an identifier with its pattern', () => {
    for (const [key, route] of Object.entries(API)) {
      for (const part of ['params', 'query', 'body'] as const) {
        const schema = (route as { [k: string]: unknown })[part] as z.ZodType | undefined;
        if (schema) expect(stringsWithoutTextRule(schema), `${key} ${part}`).toEqual([]);
      }
    }
  });

  it('finds a bare string anywhere in a schema: a field, an array item, an optional, a union', () => {
    expect(stringsWithoutTextRule(z.object({ ok: reason, bad: z.string() }))).toEqual(['$.bad']);
    expect(stringsWithoutTextRule(z.object({ list: z.array(z.string().max(3)) }))).toEqual(['$.list[]']);
    expect(stringsWithoutTextRule(z.object({ maybe: z.string().optional() }))).toEqual(['$.maybe']);
    expect(stringsWithoutTextRule(z.object({ either: z.union([z.number(), z.string()]) }))).toEqual([
      '$.either',
    ]);
    expect(
      stringsWithoutTextRule(z.object({ id: z.string().regex(/^\d+$/), kind: z.enum(['a', 'b']) })),
    ).toEqual([]);
  });
});
