import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * What `npm run build` (scripts/build.mjs) writes next to the bundled command line: the version and git commit
 * the Build ID of Worker Versioning comes from, and the workflow bundle built once. Bundled, this module's
 * URL is dist/ecp-cutover.mjs (or a chunk beside it), so both are found next to it; run from the sources, neither
 * exists and the worker bundles its workflows at start.
 */
export interface BuildInfo {
  version: string;
  commit: string;
  buildId: string;
  builtAt: string | null;
}

const beside = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));

export function buildInfo(): BuildInfo {
  try {
    return JSON.parse(fs.readFileSync(beside('build-info.json'), 'utf8')) as BuildInfo;
  } catch {
    return { version: 'dev', commit: 'source', buildId: 'dev', builtAt: null };
  }
}

/** dist/workflows.js when running from the build, else null. */
export function prebuiltWorkflowBundle(): string | null {
  const file = beside('workflows.js');
  return fs.existsSync(file) ? file : null;
}
