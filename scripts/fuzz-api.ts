/**
 * schemathesis (an outside fuzzer, PyPI) against the running control API's own OpenAPI document, once with
 * a token of each role: every reply must be in the document (status, content type, schema, headers), no
 * reply may be a server error, and a method a path does not take must be 405 with Allow. Exit 0 when all
 * three runs are clean; otherwise the failures are printed and the exit code is 1.
 *
 *   bash scripts/provision-schemathesis.sh && npm run fuzz:api [-- --max-examples N]
 *
 * The API runs on a private stack (bench/harness.ts: PostgreSQL, the Temporal dev server, a worker, the
 * simulator and an SMTP sink), with the catalog, a small generated directory and one batch planned.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { DateTime } from 'luxon';
import { createTokenAuthenticator } from '../api/auth';
import { startControlApi } from '../api/server';
import { planBatch } from '../app/batches';
import { startHarness } from '../bench/harness';
import { PROJECT_ROOT } from '../dev/tools';
import { addOperator } from '../stores/operator-store';
import { importGeneratedDirectory } from '../stores/directory-store';

const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'unsupported_method',
  'negative_data_rejection',
];
const args = process.argv.slice(2);
const maxExamples = args.includes('--max-examples') ? args[args.indexOf('--max-examples') + 1] : '40';
const st = process.env.SCHEMATHESIS_BIN ?? path.join(PROJECT_ROOT, '.tools', 'bin', 'st');

/**
 * schemathesis's output, line by line, with its section rules ("===== 3 warnings in 31.46s =====") printed as
 * "schemathesis: 3 warnings in 31.46s": those banners are pytest's closing-line format, and a CI log reader
 * takes one that counts no passed test for a test run that executed nothing.
 */
function plainBanner(line: string): string {
  const m = /^=+ (.+?) =+$/.exec(line);
  return m ? `schemathesis: ${m[1]}` : line;
}

function run(cmd: string, argv: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    createInterface({ input: child.stdout }).on('line', (line) => console.log(plainBanner(line)));
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

const h = await startHarness({ log: () => undefined });
let failed = 0;
try {
  await h.startWorker();
  const tokens: Record<string, string> = {};
  for (const [name, role] of [
    ['fuzz-planner', 'planner'],
    ['fuzz-approver', 'approver'],
    ['fuzz-support', 'support'],
  ] as const)
    tokens[role] = (await addOperator(h.db, name, [role], 'fuzz')).token;
  await importGeneratedDirectory(h.db, 20, 1, h.app.gateway);
  const planner = {
    name: 'fuzz-planner',
    roles: ['planner' as const],
    credentialId: 'fuzz',
    source: 'api' as const,
  };
  await planBatch(h.app, planner, {
    id: 'F1',
    name: 'fuzzed',
    at: DateTime.utc().plus({ days: 10 }).toISO()!,
    folders: ['SD3'],
    allowNonBusinessDay: true,
  });
  // Its own limit on failed sign-ins: the fuzzer sends no bad credential, but thousands of requests.
  const api = await startControlApi({
    deps: h.app,
    auth: createTokenAuthenticator(h.app.stores.operators),
    signInLimit: { max: 100_000, windowMs: 60_000 },
  });
  try {
    for (const [role, token] of Object.entries(tokens)) {
      console.log(
        `\nschemathesis, with a token of the ${role} role (${maxExamples} examples per operation):`,
      );
      const code = await run(st, [
        'run',
        `${api.url}/openapi.json`,
        '--header',
        `Authorization: Bearer ${token}`,
        '--checks',
        CHECKS.join(','),
        '--max-examples',
        maxExamples,
        // One worker: with two threads, hypothesis parses lambdas' source with `ast` in both at once, and
        // Python 3.11 (Debian 12's) can fail that with "AST constructor recursion depth mismatch".
        '--workers',
        '1',
        '--phases',
        'examples,coverage,fuzzing',
        '--seed',
        '23',
        '--no-color',
        '--generation-database',
        'none',
        '--request-timeout',
        '30',
        '--suppress-health-check',
        'all',
      ]);
      if (code !== 0) failed++;
    }
  } finally {
    await api.close();
  }
} finally {
  await h.close();
}
console.log(
  failed === 0
    ? '\nschemathesis: every run clean (no server error, no reply outside the document)'
    : `\nschemathesis: ${failed} run(s) found problems (above)`,
);
process.exit(failed === 0 ? 0 : 1);
