import { z } from 'zod';
import type { SimContext } from '../context';
import type { SimApp } from '../http/app';
import { MAX_PATTERN, MAX_RULES } from '../faults';

const limit = (k: string) =>
  z
    .number({ error: `"${k}" must be a number from 0 to 600000` })
    .min(0, `"${k}" must be a number from 0 to 600000`)
    .max(600_000, `"${k}" must be a number from 0 to 600000`)
    .optional();
const rule = z.object({
  match: z
    .string({ error: 'each rule needs a "match" pattern ("METHOD /path", * for anything)' })
    .max(MAX_PATTERN, `a "match" pattern is at most ${MAX_PATTERN} characters`),
  latencyMs: limit('latencyMs'),
  errorRate: limit('errorRate'),
  outage: z.boolean({ error: '"outage" is true or false' }).optional(),
  forMs: limit('forMs'),
});
const body = z.object({
  rules: z
    .array(rule, {
      error: 'body must be { "rules": [ { "match", "latencyMs", "errorRate", "outage", "forMs" } ] }',
    })
    .max(MAX_RULES, `at most ${MAX_RULES} rules`),
});

/** Fault injection for tests, drills and benchmarks (admin credential): latency, errors, outages per route. */
export function faultRoutes(app: SimApp, { faults }: SimContext): void {
  app.get('/_faults', async () => ({ rules: faults.list() }));
  app.delete('/_faults', async () => (faults.clear(), { rules: [] }));
  app.put('/_faults', { schema: { body } }, async (req) => {
    faults.set(req.body.rules.map((r) => ({ ...r, outage: r.outage === true })));
    return { rules: faults.list() };
  });
}
