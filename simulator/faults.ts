/**
 * Fault injection for tests, drills and benchmarks: per endpoint (a regular expression over
 * "METHOD /path"), added latency, an error rate, or a full outage, optionally for a limited time.
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
  regex: RegExp;
  until: number;
}

export class Faults {
  private rules: ActiveRule[] = [];

  set(rules: FaultRule[]): void {
    this.rules = rules.map((r) => ({ ...r, regex: new RegExp(r.match), until: r.forMs ? Date.now() + r.forMs : Infinity }));
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.filter((r) => r.until > Date.now()).map(({ regex: _r, until: _u, ...rule }) => rule);
  }

  /** What to do with a request: wait `delayMs`, then fail it with 503 or not. */
  decide(method: string, path: string): { delayMs: number; fail: boolean } {
    const now = Date.now();
    let delayMs = 0;
    let fail = false;
    for (const r of this.rules) {
      if (r.until <= now || !r.regex.test(`${method} ${path}`)) continue;
      delayMs += r.latencyMs ?? 0;
      if (r.outage || (r.errorRate !== undefined && Math.random() < r.errorRate)) fail = true;
    }
    return { delayMs, fail };
  }
}
