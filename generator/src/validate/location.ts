/**
 * One `--schema-location`, parsed. A leaf module (only node:path), so that `validate` can check
 * its arguments, and key its run manifest, before it loads the schema store and its parsers.
 */
import { resolve } from 'node:path';

export type Location =
  | { readonly type: 'path'; readonly path: string }
  /** `groups`/`kinds`: only consulted for these API groups and kinds (lets pinned defaults skip needless downloads). */
  | { readonly type: 'url'; readonly url: string; readonly groups?: readonly string[]; readonly kinds?: readonly string[] }
  | { readonly type: 'template'; readonly template: string };

export const isUrl = (s: string) => /^https?:\/\//i.test(s);

/** `--schema-location` text → location (paths resolved against `cwd`). */
export function parseLocation(spec: string, cwd: string): Location {
  if (spec.includes('{{')) return { type: 'template', template: isUrl(spec) ? spec : resolve(cwd, spec) };
  if (isUrl(spec)) return { type: 'url', url: spec };
  return { type: 'path', path: resolve(cwd, spec) };
}

/** A location as the user wrote it (for messages). */
export const describeLocation = (l: Location) => (l.type === 'path' ? l.path : l.type === 'url' ? l.url : l.template);
