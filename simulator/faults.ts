/**
 * Fault injection for tests, drills and benchmarks: per endpoint, added latency, an error rate, or a full
 * outage, optionally for a limited time. A rule's `match` is a pattern over "METHOD /path": `*` matches any
 * run of characters (`.*` is read the same), `^` at the start and `$` at the end anchor it; otherwise it
 * matches anywhere. Not a regular expression: a pattern costs time linear in the path, whatever it is.
 */
export interface FaultRule {
  match: string;
  latencyMs?: number;
  errorRate?: number;
  outage?: boolean;
  /** How long the rule lasts from now; forever when absent. */
  forMs?: number;
}

interface ActiveRule extends FaultRule {
  test: (s: string) => boolean;
  until: number;
}

export const MAX_RULES = 20;
export const MAX_PATTERN = 200;

/** A matcher for `pattern` (see above); throws on a pattern that is too long. */
export function compilePattern(pattern: string): (s: string) => boolean {
  if (pattern.length > MAX_PATTERN) throw new Error(`a pattern is at most ${MAX_PATTERN} characters`);
  const start = pattern.startsWith('^');
  const end = pattern.endsWith('$') && !pattern.endsWith('\\$');
  const body = pattern.slice(start ? 1 : 0, end ? -1 : undefined).replaceAll('.*', '*');
  const parts = body.split('*');
  return (s: string) => {
    let at = 0;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      const last = i === parts.length - 1;
      if (i === 0 && start) {
        if (!s.startsWith(part)) return false;
        at = part.length;
        if (last && end) return s.length === part.length;
        continue;
      }
      if (last && end) return s.length - part.length >= at && s.endsWith(part);
      const found = s.indexOf(part, at);
      if (found < 0) return false;
      at = found + part.length;
    }
    return true;
  };
}

export class Faults {
  private rules: ActiveRule[] = [];

  set(rules: FaultRule[]): void {
    if (rules.length > MAX_RULES) throw new Error(`at most ${MAX_RULES} rules`);
    this.rules = rules.map((r) => ({
      ...r,
      test: compilePattern(r.match),
      until: r.forMs ? Date.now() + r.forMs : Infinity,
    }));
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.filter((r) => r.until > Date.now()).map(({ test: _t, until: _u, ...rule }) => rule);
  }

  /** What to do with a request: wait `delayMs`, then fail it with 503 or not. */
  decide(method: string, path: string): { delayMs: number; fail: boolean } {
    const now = Date.now();
    let delayMs = 0;
    let fail = false;
    for (const r of this.rules) {
      if (r.until <= now || !r.test(`${method} ${path}`)) continue;
      delayMs += r.latencyMs ?? 0;
      if (r.outage || (r.errorRate !== undefined && Math.random() < r.errorRate)) fail = true;
    }
    return { delayMs, fail };
  }
}
