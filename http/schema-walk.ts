import { z } from 'zod';

type Json = { [k: string]: unknown };

/**
 * The fields of a request schema that take a string without the edge's text rule: not a `text()` (marked
 * `x-text`), and not bounded by a pattern, an enumeration or a constant. The HTTP layer refuses to register a
 * route that has any, so that no handler ever sees a NUL, a control character, a bidirectional override or
 * an unbounded string.
 */
export function stringsWithoutTextRule(schema: z.ZodType): string[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  const out: string[] = [];
  walk(json, '$', out);
  return out;
}

function walk(node: unknown, at: string, out: string[]): void {
  if (!node || typeof node !== 'object') return;
  const n = node as Json;
  const types = [n.type].flat();
  if (types.includes('string') && !('x-text' in n || 'pattern' in n || 'enum' in n || 'const' in n))
    out.push(at);
  for (const [k, v] of Object.entries((n.properties as Json | undefined) ?? {})) walk(v, `${at}.${k}`, out);
  if (n.items) walk(n.items, `${at}[]`, out);
  if (n.additionalProperties && typeof n.additionalProperties === 'object')
    walk(n.additionalProperties, `${at}.*`, out);
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const)
    for (const [i, v] of ((n[k] as unknown[] | undefined) ?? []).entries()) walk(v, `${at}|${i}`, out);
}
