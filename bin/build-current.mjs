// Whether dist/ holds a build of the sources as they are: no source file newer than dist/ecp-cutover.mjs, and
// ECP_CUTOVER_FROM_SOURCE not set. bin/ecp-cutover.mjs runs the build only then; the benchmarks record which ran.
import fs from 'node:fs';

/** Every folder whose sources the build bundles. */
export const SOURCES = [
  'activities',
  'api',
  'app',
  'cli',
  'config',
  'console',
  'contract',
  'db',
  'dev',
  'domain',
  'http',
  'observability',
  'platform',
  'portal',
  'security',
  'simulator',
  'smtp-sink',
  'stores',
  'workflows',
  'worker',
];

function newerThan(dir, time) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return false; // no such directory: an installed build has no sources
  }
  for (const e of entries) {
    const p = `${dir}/${e.name}`;
    if (
      e.isDirectory()
        ? newerThan(p, time)
        : (e.name.endsWith('.ts') || e.name.endsWith('.csv')) && fs.statSync(p).mtimeMs > time
    )
      return true;
  }
  return false;
}

/** `root`: the project's directory, ending in a slash. */
export function buildIsCurrent(root) {
  if (process.env.ECP_CUTOVER_FROM_SOURCE === '1') return false;
  let time;
  try {
    time = fs.statSync(`${root}dist/ecp-cutover.mjs`).mtimeMs;
  } catch {
    return false;
  }
  return !SOURCES.some((d) => newerThan(`${root}${d}`, time));
}
