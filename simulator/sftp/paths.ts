/**
 * SFTP paths, as pure functions: what a client sends, made absolute and plain. A path with a control character,
 * or longer than any the tree has, is no path at all (null): the tree answers "no such file".
 */
const MAX_PATH = 1024;
const CONTROL = /[\u0000-\u001f\u007f]/;

export function normalize(path: string, cwd = '/'): string | null {
  if (path.length > MAX_PATH || CONTROL.test(path)) return null;
  const parts: string[] = [];
  for (const part of (path.startsWith('/') ? path : `${cwd}/${path}`).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return '/' + parts.join('/');
}

export const partsOf = (normalized: string) => normalized.split('/').filter(Boolean);

/** The last part of a path (a file's name), or '' for the root. */
export const baseName = (normalized: string) => partsOf(normalized).pop() ?? '';
