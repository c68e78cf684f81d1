import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchors, brokenLinks, documents } from '../../scripts/check-links';

describe('the link check (scripts/check-links.ts)', () => {
  it('finds a missing file, a missing anchor and a missing own anchor; passes good ones; ignores code and the web', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'links-'));
    try {
      fs.mkdirSync(path.join(root, 'docs', 'images'), { recursive: true });
      fs.writeFileSync(path.join(root, 'docs', 'images', 'a.png'), '');
      fs.writeFileSync(
        path.join(root, 'docs', 'runbook.md'),
        '# Runbook\n\n## A folder fails at 08:03\n\n## Steps\n\n## Steps\n\n<a id="custom"></a>\n',
      );
      fs.writeFileSync(
        path.join(root, 'README.md'),
        [
          '# Title',
          '',
          '[ok](docs/runbook.md#a-folder-fails-at-0803) [dup](docs/runbook.md#steps-1) [own](#title) [id](docs/runbook.md#custom)',
          '![img](docs/images/a.png) [web](https://example.com/x#y) `[code](nowhere.md)`',
          '```',
          '[fenced](nowhere.md)',
          '```',
          '[gone](docs/nowhere.md) [bad anchor](docs/runbook.md#a-folder-fails) [bad own](#nothing)',
          '',
        ].join('\n'),
      );
      expect(brokenLinks(root, ['README.md'])).toEqual([
        'README.md:8: docs/nowhere.md: no such file',
        'README.md:8: docs/runbook.md#a-folder-fails: no heading with the anchor #a-folder-fails in docs/runbook.md',
        'README.md:8: #nothing: no heading with the anchor #nothing in README.md',
      ]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('numbers repeated headings as GitHub does', () => {
    expect([...anchors('# A\n## B\n## B\n## `C` d?\n')]).toEqual(['a', 'b', 'b-1', 'c-d']);
  });

  it('README.md and docs/ have no broken link', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    expect(brokenLinks(root, documents(root))).toEqual([]);
  });
});
