/** Two file sets → one unified diff (git's a/ b/ naming), for reviewers who want the YAML. Pure. */
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import type { OutputFile } from '../render/output.js';

/** Unified diff of every file that differs, in path order; '' when none does. */
export function unifiedDiff(before: readonly OutputFile[], after: readonly OutputFile[], context = 3): string {
  const [a, b] = [new Map(before.map((f) => [f.path, f.content])), new Map(after.map((f) => [f.path, f.content]))];
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((p) => a.get(p) !== b.get(p))
    .map((p) => {
      const [x, y] = [a.get(p), b.get(p)];
      const patch = createTwoFilesPatch(x === undefined ? '/dev/null' : `a/${p}`, y === undefined ? '/dev/null' : `b/${p}`, x ?? '', y ?? '', undefined, undefined, {
        context,
        headerOptions: FILE_HEADERS_ONLY,
      });
      return `diff --git a/${p} b/${p}\n${patch}`;
    })
    .join('');
}
