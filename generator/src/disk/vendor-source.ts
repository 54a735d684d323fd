/**
 * Where `vendor` reads KServe from, safely: a checkout (or its config/), a release tarball, or
 * a tarball URL. A tarball is streamed (never held in memory or saved whole) and only what
 * the bases can need is unpacked — regular files under config/ and the LICENSE, each and all
 * under a size cap, links never; a download and the total it unpacks are capped too. In a
 * checkout, no path is read through a symbolic link, so nothing outside the source is vendored.
 */
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { constants, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createReadStream } from 'node:fs';
import * as tar from 'tar';
import { UserError } from '../errors.js';
import { PathInspector } from './paths.js';

export const LIMITS = {
  /** Bytes downloaded from a URL (compressed). */
  download: 256 << 20,
  /** Bytes of every entry a tarball declares, taken or not (a gzip bomb stops here). */
  unpacked: 1 << 30,
  /** One vendored file (KServe's largest CRD is ~2.3 MB). */
  entry: 32 << 20,
  /** All vendored files together. */
  taken: 256 << 20,
};

export interface Source {
  /** The folder holding config/. */
  readonly root: string;
  /** Reads `rel` (relative to root) — never through a link. */
  read(rel: string): Promise<string | undefined>;
  /** What `rel` is, checked component by component from the root. */
  kind(rel: string): Promise<'file' | 'dir' | 'missing'>;
  cleanup(): Promise<void>;
}

const MiB = (n: number) => `${Math.round(n / (1 << 20))} MiB`;

function sourceAt(root: string, cleanup: () => Promise<void>): Source {
  const inspector = new PathInspector(root);
  const kind = async (rel: string): Promise<'file' | 'dir' | 'missing'> => {
    const parts = rel.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const sub = parts.slice(0, i).join('/');
      const k = await inspector.kind(sub);
      if (k === 'missing') return 'missing';
      if (k === 'symlink') throw UserError.of(sub, 'is a symbolic link in the KServe source — vendor never follows links (one could lead outside the source); use a plain checkout or the release tarball');
      if (k === 'other' || (k === 'file' && i < parts.length)) throw UserError.of(sub, 'is not a regular file or folder in the KServe source');
      if (i === parts.length) return k as 'file' | 'dir';
    }
    return 'missing';
  };
  return {
    root,
    kind,
    async read(rel) {
      if ((await kind(rel)) !== 'file') return undefined;
      const fh = await open(join(root, rel), constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        if ((await fh.stat()).size > LIMITS.entry) throw UserError.of(rel, `is over ${MiB(LIMITS.entry)}, more than any file vendor takes`);
        return await fh.readFile('utf8');
      } finally {
        await fh.close();
      }
    },
    cleanup,
  };
}

/** Opens `from` (see the file comment). */
export async function openSource(from: string): Promise<Source> {
  if (/^https?:\/\//.test(from)) {
    return unpackInto(from, async () => {
      const res = await fetch(from, { signal: AbortSignal.timeout(120_000) });
      if (!res.ok || !res.body) throw UserError.of(from, `download failed: HTTP ${res.status} — check the URL (e.g. ${'https://github.com/kserve/kserve/archive/refs/tags/v0.20.0.tar.gz'})`);
      const declared = Number(res.headers.get('content-length') ?? 0);
      if (declared > LIMITS.download) throw UserError.of(from, `is ${MiB(declared)}, over the ${MiB(LIMITS.download)} a KServe release tarball needs — check the URL`);
      return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
    });
  }
  const st = await stat(from).catch(() => undefined);
  if (!st) throw UserError.of(from, 'no such file or folder — pass a kserve checkout, its config/ folder, a release tarball or an https:// URL', 2);
  if (st.isDirectory()) return findKserveRoot(from, async () => undefined);
  return unpackInto(from, async () => createReadStream(from));
}

/** Whether a tarball entry is something the bases can need: under (top/)config/, or (top/)LICENSE. */
function needed(path: string): boolean {
  const parts = path.replace(/^\.\//, '').split('/').filter(Boolean);
  const at = parts[0] === 'config' || parts[0] === 'LICENSE' ? 0 : 1;
  return parts[at] === 'config' || (parts[at] === 'LICENSE' && parts.length === at + 1);
}

async function unpackInto(label: string, open: () => Promise<Readable>): Promise<Source> {
  const { dir, cleanup } = await unpackTarball(label, open, { needed, what: 'a KServe release tarball', hint: 'a KServe .tar.gz release tarball', part: 'its config/' });
  try {
    return await findKserveRoot(dir, cleanup);
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** What one kind of tarball may hold: which entries to take, and how to name it in errors. */
export interface TarballSpec {
  readonly needed: (path: string) => boolean;
  /** "a KServe release tarball" */
  readonly what: string;
  /** What to pass instead ("a KServe .tar.gz release tarball"). */
  readonly hint: string;
  /** What the taken entries are, for the total cap ("its config/"). */
  readonly part: string;
  /** What to do without network (default: KServe's release tarball). */
  readonly offline?: string;
}

/**
 * Streams the tarball `open` yields into a fresh temp folder, under the LIMITS, taking only
 * regular files and folders `spec.needed` accepts (links never). The caller removes it with cleanup.
 */
export async function unpackTarball(label: string, open: () => Promise<Readable>, spec: TarballSpec): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const tmp = await mkdtemp(join(tmpdir(), 'llm-gitops-vendor-'));
  // Retried: after a failed stream, tar may still be finishing a file in the folder (ENOTEMPTY).
  const cleanup = () => rm(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  try {
    const out = join(tmp, 'x');
    await mkdir(out);
    let [downloaded, declared, taken] = [0, 0, 0];
    let refused: string | undefined;
    const unpack = tar.x({
      cwd: out,
      strict: true,
      preserveOwner: false,
      noMtime: true,
      filter: (path, entry) => {
        const e = entry as tar.ReadEntry;
        declared += e.size ?? 0;
        const over = (why: string) => {
          refused ??= why;
          unpack.abort(new Error(why));
          return false;
        };
        if (declared > LIMITS.unpacked) return over(`unpacks to more than ${MiB(LIMITS.unpacked)} — not ${spec.what}`);
        if (!spec.needed(path) || (e.type !== 'File' && e.type !== 'Directory')) return false; // links are never unpacked
        if ((e.size ?? 0) > LIMITS.entry) return over(`${path} is ${MiB(e.size ?? 0)}, over the ${MiB(LIMITS.entry)} cap of one vendored file`);
        taken += e.size ?? 0;
        if (taken > LIMITS.taken) return over(`${spec.part} is over ${MiB(LIMITS.taken)}`);
        return true;
      },
    });
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        downloaded += chunk.length;
        if (downloaded > LIMITS.download) done(new Error(`is over ${MiB(LIMITS.download)}`));
        else done(null, chunk);
      },
    });
    const input = await open(); // a connection that fails is a download failure (below), not a bad tarball
    try {
      await pipeline(input, count, unpack as unknown as NodeJS.WritableStream);
    } catch (e) {
      if (e instanceof UserError) throw e;
      if (/^https?:\/\//.test(label) && ((e as { cause?: unknown }).cause || (e as Error).name === 'TimeoutError')) throw UserError.of(label, downloadFailed(label, e, spec.offline));
      throw UserError.of(label, `cannot unpack: ${refused ?? (e as Error).message} — pass ${spec.hint}`);
    }
    if (refused) throw UserError.of(label, `cannot unpack: ${refused} — pass ${spec.hint}`);
    return { dir: out, cleanup };
  } catch (e) {
    await cleanup();
    if (e instanceof UserError) throw e;
    throw UserError.of(label, downloadFailed(label, e, spec.offline));
  }
}

const RELEASE = 'https://github.com/kserve/kserve/archive/refs/tags/v0.20.0.tar.gz';

/** Why a download failed, from the network error under fetch's "fetch failed", and what to do instead. */
export function downloadFailed(url: string, e: unknown, offline = `download the release tarball elsewhere (${RELEASE}) and pass \`--from <the .tar.gz or a kserve checkout>\``): string {
  const err = e as Error & { cause?: Error & { code?: string; hostname?: string; address?: string; port?: number } };
  const c = err.cause;
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
  const why =
    err.name === 'TimeoutError' ? `no answer from ${host} within 120 s`
    : c?.code === 'ENOTFOUND' || c?.code === 'EAI_AGAIN' ? `cannot resolve host ${c.hostname ?? host} (${c.code})`
    : c?.code === 'ECONNREFUSED' ? `${c.address && c.port ? `${c.address}:${c.port}` : host} refused the connection (ECONNREFUSED)`
    : c?.code ? `${c.message} (${c.code})`
    : c?.message ? `${err.message}: ${c.message}`
    : err.message;
  return `download failed: ${why} — without network, ${offline}`;
}

/** The folder holding config/llmisvc: the given one, its parent (given config/), or one level down (tarball root). */
async function findKserveRoot(dir: string, cleanup: () => Promise<void>): Promise<Source> {
  const at = async (d: string) => {
    const s = sourceAt(d, cleanup);
    return (await s.kind('config/llmisvc/kustomization.yaml')) === 'file' ? s : undefined;
  };
  const found = (await at(dir)) ?? (basename(dir) === 'config' ? await at(dirname(dir)) : undefined);
  if (found) return found;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const s = await at(join(dir, e.name));
    if (s) return s;
  }
  throw UserError.of(dir, 'is not a KServe source: no config/llmisvc/kustomization.yaml in it (or one level down)');
}
