/**
 * Schema files over HTTP(S), kept in the cache after the first download. Schema locations name
 * pinned, immutable files (a CRD at a release tag), so a cached copy is used without asking the
 * server again; clear the cache folder to fetch anew.
 */
import { DiskCache, sha256 } from './cache.js';

/** A downloaded body, or why there is none. */
export type Fetched =
  | { readonly ok: true; readonly text: string; readonly cached: boolean }
  | { readonly ok: false; readonly notFound: boolean; readonly reason: string };

const TIMEOUT_MS = 60_000;
const MAX_BYTES = 64 << 20;

/** `url`'s body, from the cache or the network; a 404 is `notFound` (the next location is tried). */
export async function fetchText(url: string, cache: DiskCache): Promise<Fetched> {
  const key = `http/${sha256(url)}`;
  const cached = await cache.read(key);
  if (cached !== undefined) return { ok: true, text: cached, cached: true };
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'follow' });
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    return { ok: false, notFound: false, reason: `cannot download ${url}: ${cause ?? (e as Error).message} (offline? pass --schema-location with a local copy)` };
  }
  if (res.status === 404) return { ok: false, notFound: true, reason: `${url}: 404 Not Found` };
  if (!res.ok) return { ok: false, notFound: false, reason: `cannot download ${url}: HTTP ${res.status}` };
  const length = Number(res.headers.get('content-length') ?? 0);
  if (length > MAX_BYTES) return { ok: false, notFound: false, reason: `${url}: ${length} bytes is more than a schema file should be` };
  const text = await res.text();
  await cache.write(key, text);
  return { ok: true, text, cached: false };
}
