/**
 * Schema files over HTTP(S), kept in the cache after the first download. Schema locations name
 * pinned, immutable files (a CRD at a release tag), so a cached copy is used without asking the
 * server again; clear the cache folder to fetch anew.
 */
import { DiskCache, sha256, utf8Text } from './cache.js';

/** A downloaded body, or why there is none. */
export type Fetched =
  | { readonly ok: true; readonly text: string; readonly cached: boolean; /** The cached file `text` was decoded from (UTF-8). */ readonly bytes?: Uint8Array }
  | { readonly ok: false; readonly notFound: boolean; readonly reason: string };

const TIMEOUT_MS = 60_000;
const MAX_BYTES = 64 << 20;

/** Where `vendor --crds` puts a downloaded file, and where `fetchText` looks first. */
export const cacheKeyOf = (url: string) => `http/${sha256(url)}`;

/** `LLM_GITOPS_OFFLINE=1` (or `true`): never download, use the cache only. */
export const offlineIn = (env: Readonly<Record<string, string | undefined>>) => /^(1|true|yes)$/i.test(env.LLM_GITOPS_OFFLINE ?? '');

/** How to get a file onto a machine without network (appended to every failed download). */
export const OFFLINE_HINT = 'run `llm-gitops vendor --crds <folder>` with a copy of it (or `llm-gitops vendor --crds` once with network) to put it in the cache, or pass --schema-location with a local copy';

/** How downloads may happen: not at all (`offline`), or from a mirror of raw.githubusercontent.com. */
export interface FetchOptions {
  readonly offline?: boolean;
  /** Base URL serving `<owner>/<repo>/<tag>/<path>` as raw.githubusercontent.com does. */
  readonly mirror?: string;
}

/** `LLM_GITOPS_OFFLINE` and `LLM_GITOPS_CRD_MIRROR` from the environment. */
export function fetchOptionsOf(env: Readonly<Record<string, string | undefined>>): FetchOptions {
  const mirror = env.LLM_GITOPS_CRD_MIRROR?.replace(/\/+$/, '');
  return { offline: offlineIn(env), ...(mirror ? { mirror } : {}) };
}

const RAW_PREFIX = 'https://raw.githubusercontent.com/';

/**
 * `url`'s body, from the cache or the network; a 404 is `notFound` (the next location is tried).
 * The cache key is always `url` itself: a file from the mirror is the pinned file it names.
 */
export async function fetchText(url: string, cache: DiskCache, opts: FetchOptions = {}): Promise<Fetched> {
  const key = cacheKeyOf(url);
  const cached = await cache.readBytes(key);
  if (cached !== undefined) return { ok: true, text: utf8Text(cached), cached: true, bytes: cached };
  if (opts.offline) return { ok: false, notFound: false, reason: `${url} is not in the cache (${cache.dir ?? 'none'}) and LLM_GITOPS_OFFLINE forbids downloading it: ${OFFLINE_HINT}` };
  const from = opts.mirror && url.startsWith(RAW_PREFIX) ? `${opts.mirror}/${url.slice(RAW_PREFIX.length)}` : url;
  const named = from === url ? url : `${url} (from the mirror: ${from})`;
  let res: Response;
  try {
    res = await fetch(from, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'follow' });
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    return { ok: false, notFound: false, reason: `cannot download ${named}: ${cause ?? (e as Error).message} — offline? ${OFFLINE_HINT}` };
  }
  if (res.status === 404) return { ok: false, notFound: true, reason: `${named}: 404 Not Found` };
  if (!res.ok) return { ok: false, notFound: false, reason: `cannot download ${named}: HTTP ${res.status}` };
  const length = Number(res.headers.get('content-length') ?? 0);
  if (length > MAX_BYTES) return { ok: false, notFound: false, reason: `${named}: ${length} bytes is more than a schema file should be` };
  const text = await res.text();
  await cache.write(key, text);
  return { ok: true, text, cached: false };
}
