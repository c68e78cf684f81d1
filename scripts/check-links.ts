/**
 * `npm run check:links`: every relative link and #anchor in README.md and docs/*.md resolves — the file exists,
 * and the anchor is a heading of that file (GitHub's slugs: lower case, punctuation dropped, spaces to -, a
 * repeated heading gets -1, -2, …) or an explicit <a id>/<a name>. Links to the web are not fetched. Exits 1
 * naming each broken link with its file and line (CI: .ci/run; test/unit/check-links.test.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** GitHub's anchor for a heading's text. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The lines outside fenced code blocks, with inline code blanked (links in code are examples, not links). */
function proseLines(text: string): { line: string; n: number }[] {
  const out: { line: string; n: number }[] = [];
  let fence: string | null = null;
  text.split('\n').forEach((line, i) => {
    const f = /^\s*(```+|~~~+)/.exec(line);
    if (f) {
      if (fence === null) fence = f[1]![0]!;
      else if (f[1]![0] === fence) fence = null;
      return;
    }
    if (fence === null) out.push({ line, n: i + 1 });
  });
  return out;
}

/** Every anchor a Markdown file offers. */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const { line } of proseLines(text)) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const plain = h[1]!.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1');
      const base = slug(plain);
      const k = seen.get(base) ?? 0;
      seen.set(base, k + 1);
      result.add(k === 0 ? base : `${base}-${k}`);
    }
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) result.add(m[1]!);
  }
  return result;
}

/** Each link's target in a Markdown text, with its line: [text](target), ![alt](target), <img src>, <a href>. */
export function links(text: string): { target: string; n: number }[] {
  const out: { target: string; n: number }[] = [];
  for (const { line, n } of proseLines(text)) {
    const prose = line.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
      out.push({ target: m[1]!, n });
    for (const m of prose.matchAll(/<(?:img|a)\s[^>]*(?:src|href)="([^"]+)"/g))
      out.push({ target: m[1]!, n });
  }
  return out;
}

/** The broken links of these files (paths relative to root), one line each. */
export function brokenLinks(root: string, files: string[]): string[] {
  const problems: string[] = [];
  const cache = new Map<string, Set<string>>();
  const anchorsOf = (file: string) => {
    let a = cache.get(file);
    if (!a) cache.set(file, (a = anchors(fs.readFileSync(file, 'utf8'))));
    return a;
  };
  for (const rel of files) {
    const file = path.join(root, rel);
    for (const { target, n } of links(fs.readFileSync(file, 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …: not ours to check here
      const [p, anchor] = target.split('#', 2) as [string, string | undefined];
      const dest = p === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(p));
      const where = `${rel}:${n}: ${target}`;
      if (!dest.startsWith(root)) problems.push(`${where}: outside the repository`);
      else if (!fs.existsSync(dest)) problems.push(`${where}: no such file`);
      else if (
        anchor !== undefined &&
        dest.endsWith('.md') &&
        !anchorsOf(dest).has(decodeURIComponent(anchor))
      ) {
        problems.push(`${where}: no heading with the anchor #${anchor} in ${path.relative(root, dest)}`);
      }
    }
  }
  return problems;
}

/** README.md and every Markdown file under docs/. */
export function documents(root = ROOT): string[] {
  const docs = fs.existsSync(path.join(root, 'docs'))
    ? fs
        .readdirSync(path.join(root, 'docs'), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.md'))
        .map((f) => path.join('docs', f))
    : [];
  return ['README.md', ...docs.sort()];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = documents();
  const problems = brokenLinks(ROOT, files);
  for (const p of problems) process.stderr.write(`broken link: ${p}\n`);
  process.stdout.write(`check-links: ${files.length} files, ${problems.length} broken\n`);
  process.exit(problems.length ? 1 : 0);
}
