/** What every renderer returns: files as path + text. Only emit/ writes them. */
export interface OutputFile {
  /** Repository-relative, forward slashes. */
  readonly path: string;
  readonly content: string;
  /**
   * The YAML documents `content` was serialised from, in order (render/yaml.ts `yamlDocs`), so
   * `validate` checks them without re-parsing; absent for files written otherwise.
   */
  readonly objects?: readonly unknown[];
}

export class PathConflictError extends Error {
  constructor(readonly path: string) {
    super(`two renderers produced ${path}`);
  }
}

/** Concatenates renderer outputs, refusing two files at one path. Sorted by path. */
export function composeFiles(...groups: readonly (readonly OutputFile[])[]): OutputFile[] {
  const seen = new Map<string, OutputFile>();
  for (const f of groups.flat()) {
    if (seen.has(f.path)) throw new PathConflictError(f.path);
    seen.set(f.path, f);
  }
  return [...seen.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
