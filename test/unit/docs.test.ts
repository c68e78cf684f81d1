import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED, slug, staleDocs } from '../../scripts/docs';

// The generated references (docs/configuration.md, docs/cli.md, docs/api.md) are what the code makes now:
// a change to the configuration, a command or a route that is not followed by `npm run docs` fails here.
describe('generated docs', () => {
  it('every generated file in docs/ is current (else: npm run docs, and commit)', async () => {
    expect(await staleDocs()).toEqual([]);
  }, 60_000);

  it('names a generated file that differs from what the code makes, and one that is missing', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-check-'));
    try {
      const files = Object.keys(GENERATED);
      for (const f of files) {
        fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
        fs.copyFileSync(path.join(import.meta.dirname, '..', '..', f), path.join(root, f));
      }
      fs.appendFileSync(path.join(root, 'docs/configuration.md'), '| `OLD_VARIABLE` | unset | gone |\n');
      fs.rmSync(path.join(root, 'docs/api.md'));
      expect(await staleDocs(root)).toEqual(['docs/configuration.md', 'docs/api.md']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);

  it("makes GitHub's heading anchors", () => {
    expect(slug('A folder fails at 08:03')).toBe('a-folder-fails-at-0803');
    expect(slug('POST /api/batches/{id}/approve')).toBe('post-apibatchesidapprove');
    expect(slug('Invariants I1–I7')).toBe('invariants-i1i7');
    expect(slug('`ecp-cutover batch plan`')).toBe('ecp-cutover-batch-plan');
  });
});
