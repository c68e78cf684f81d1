#!/usr/bin/env node
// The `ecp-cutover` command. Built (`npm run build`), it runs the compiled JavaScript in dist/ — always in
// production and in the Docker image, where there are no sources and no tsx. In a working copy it runs the
// build only while the build is current (no source file newer than dist/ecp-cutover.mjs); otherwise, or with
// ECP_CUTOVER_FROM_SOURCE=1, it runs the TypeScript sources through tsx's loader, so an edit is never hidden
// by an old build.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = `${root}dist/ecp-cutover.mjs`;
const SOURCES = [
  'activities',
  'api',
  'app',
  'cli',
  'config',
  'db',
  'dev',
  'domain',
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

function buildIsCurrent() {
  if (process.env.ECP_CUTOVER_FROM_SOURCE === '1') return false;
  let time;
  try {
    time = fs.statSync(built).mtimeMs;
  } catch {
    return false;
  }
  return !SOURCES.some((d) => newerThan(`${root}${d}`, time));
}

if (buildIsCurrent()) {
  await import(built);
} else {
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    process.stderr.write(
      "error: no build in dist/ and no tsx to run the sources: run 'npm run build' (or 'npm ci' for development) (unavailable)\n",
    );
    process.exit(1);
  }
  await import('../cli/entry.ts');
}
