/**
 * What git is given from the command line, checked before git sees it: branch names by the
 * rules of `git check-ref-format --branch` (and never `HEAD`, `@` or a name git could read as
 * an option), remote names and URLs never starting with `-` (`--remote '-oProxyCommand=…'`).
 * The git calls also put `--` before such operands.
 */

/** Why `name` is not a branch name, or undefined when it is one. */
export function branchNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name.startsWith('-')) return 'starts with "-" (git would read it as an option)';
  if (name === 'HEAD' || name === '@') return `is "${name}", which git reads as the current commit, not a branch`;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return 'holds a space, a control character or one of ~ ^ : ? * [ \\';
  if (name.includes('..')) return 'holds ".."';
  if (name.includes('@{')) return 'holds "@{"';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return 'has an empty path component (a leading, trailing or double "/")';
  if (name.endsWith('.')) return 'ends with "."';
  const bad = name.split('/').find((c) => c.startsWith('.') || c.endsWith('.lock'));
  if (bad) return `has a component "${bad}" that starts with "." or ends with ".lock"`;
  if (name.startsWith('refs/')) return 'starts with "refs/": give the short branch name';
  return undefined;
}

/** Why `remote` (a remote's name or a URL) may not be handed to git, or undefined. */
export function remoteProblem(remote: string): string | undefined {
  if (remote === '') return 'is empty';
  if (remote.startsWith('-')) return 'starts with "-" (git would read it as an option)';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(remote)) return 'holds a control character';
  return undefined;
}
