#!/usr/bin/env node
// The closing lines of .ci/run: what the test runner and the fault drills executed, read from their own reports
// (vitest's JSON report, the drills' "drills: N passed, N failed" lines), summed into one plain line,
// "ci: N passed, N failed". Exits 1 when anything failed or nothing ran, so a run that tested nothing is red.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? '.ci-out';
const vitest = JSON.parse(readFileSync(join(dir, 'vitest.json'), 'utf8'));
const rows = [['vitest', vitest.numPassedTests, vitest.numFailedTests]];
for (const file of process.argv.slice(3)) {
  const line = readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .findLast((l) => /^drills: \d+ passed, \d+ failed$/.test(l));
  if (!line) {
    console.error(`ci-summary: ${file} has no "drills: N passed, N failed" line; did the drills finish?`);
    process.exit(1);
  }
  const [, passed, failed] = line.match(/(\d+) passed, (\d+) failed/).map(Number);
  rows.push([`drills (${file.replace(/\.log$/, '')})`, passed, failed]);
}
for (const [what, passed, failed] of rows) console.log(`  ${what}: ${passed} passed, ${failed} failed`);
const passed = rows.reduce((s, r) => s + r[1], 0);
const failed = rows.reduce((s, r) => s + r[2], 0);
console.log(`ci: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
