#!/usr/bin/env node
// The `ecp-cutover` command. Built (`npm run build`), it runs the compiled JavaScript in dist/ — always in
// production and in the Docker image, where there are no sources and no tsx. In a working copy it runs the
// build only while the build is current (no source file newer than dist/ecp-cutover.mjs); otherwise, or with
// ECP_CUTOVER_FROM_SOURCE=1, it runs the TypeScript sources through tsx's loader, so an edit is never hidden
// by an old build.
import { fileURLToPath } from 'node:url';
import { buildIsCurrent } from './build-current.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = `${root}dist/ecp-cutover.mjs`;

if (buildIsCurrent(root)) {
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
