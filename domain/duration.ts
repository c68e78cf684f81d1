import { InputError } from './errors';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "500ms", "60s", "5m", "2h", "14d" → milliseconds. */
export function parseDuration(input: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(input.trim());
  if (!m) throw new InputError(`'${input}' is not a duration: write e.g. 500ms, 60s, 5m, 2h or 14d`);
  return Math.round(Number(m[1]) * UNITS[m[2]]);
}
