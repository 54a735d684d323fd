/**
 * Reading the repository: catalogs and the files under the folders the tool owns. Links are
 * never followed (a linked folder is not walked, a linked file not read: the plan then sees a
 * write over a link and refuses it), and a big file is never read whole: the first bytes tell
 * whether the tool wrote it.
 */
import { mapLimit } from '../concurrency.js';
import { createHash, randomBytes } from 'node:crypto';
import { constants, lstat, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { UserError } from '../errors.js';
import { isGenerated } from '../model/names.js';

export const CATALOG = 'catalog.yaml';
export const JOURNAL = '.llm-gitops-journal.json';

/** Enough of a file to see the generated header. */
const HEAD_BYTES = 256;
/** Read whole at once (a generated file this size is the common case). */
const SMALL_BYTES = 64 << 10;
/** Files read at a time: enough to keep the disk busy, few enough for any open-file limit. */
const READ_CONCURRENCY = 64;
/** No generated file is bigger; a bigger one with the header is compared by its head only. */
export const MAX_GENERATED_BYTES = 32 << 20;

export interface CatalogText {
  readonly env: string;
  /** Repository-relative path. */
  readonly file: string;
  readonly text: string;
}

async function lstatOrUndefined(path: string) {
  return lstat(path).catch(() => undefined);
}

/** Environment folders that hold a catalog.yaml, sorted. */
export async function listEnvironments(root: string): Promise<string[]> {
  const dir = join(root, 'environments');
  const st = await lstatOrUndefined(dir);
  if (!st) return [];
  if (!st.isDirectory()) throw UserError.of('environments', 'is a symbolic link or a file, not a folder — llm-gitops reads catalogs only from a real environments/ folder in the repository');
  const envs: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue; // a link to a folder is not an environment
    const cat = await lstatOrUndefined(join(dir, e.name, CATALOG));
    if (!cat) continue; // a folder without catalog: not an environment (its generated files are removed)
    if (!cat.isFile()) throw UserError.of(`environments/${e.name}/${CATALOG}`, 'is a symbolic link or not a regular file — a catalog must be a file in the repository (a link could read anything on this machine)');
    envs.push(e.name);
  }
  return envs.sort();
}

export async function readCatalogs(root: string, envs: readonly string[]): Promise<CatalogText[]> {
  return Promise.all(
    envs.map(async (env) => {
      const file = `environments/${env}/${CATALOG}`;
      return { env, file, text: await readNoFollow(join(root, file)) };
    }),
  );
}

/** The organisation's model library (environments/library.yaml), when the repository has one. */
export async function readLibrary(root: string): Promise<{ file: string; text: string } | undefined> {
  const file = 'environments/library.yaml';
  try {
    return { file, text: await readNoFollow(join(root, file)) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function readNoFollow(path: string): Promise<string> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

/** Repository-relative paths of the regular files below `dirs` (never through a link), except what `skip` excludes. */
export async function listFiles(root: string, dirs: readonly string[], skip: (path: string) => boolean = () => false): Promise<string[]> {
  const out: string[] = [];
  const walk = async (abs: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch {
      return;
    }
    await Promise.all(
      entries.map(async (e) => {
        const child = join(abs, e.name);
        const rel = relative(root, child).split(sep).join('/');
        if (skip(rel)) return;
        if (e.isDirectory()) return walk(child);
        if (e.isFile()) out.push(rel);
      }),
    );
  };
  for (const d of dirs) if ((await lstatOrUndefined(join(root, d)))?.isDirectory()) await walk(join(root, d));
  return out.sort();
}

/** The head of a file, or all of it when it is a generated file of a sane size. */
async function readForPlan(path: string): Promise<string> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const { size } = await fh.stat();
    // Most files are small: one read, and only the head is kept when the tool did not write it.
    if (size <= SMALL_BYTES) {
      const text = await fh.readFile('utf8');
      return text.length <= HEAD_BYTES || isGenerated(text) ? text : Buffer.from(text).subarray(0, HEAD_BYTES).toString('utf8');
    }
    const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const text = head.subarray(0, bytesRead).toString('utf8');
    if (size <= HEAD_BYTES || !isGenerated(text) || size > MAX_GENERATED_BYTES) return text;
    return (await readFile(path, 'utf8'));
  } finally {
    await fh.close();
  }
}

/**
 * Every file below `dirs` (repository-relative) → its text, except what `skip` excludes. A
 * file without the generated header (or too big to be a generated one) maps to its first
 * bytes only: enough to tell it is not the tool's, and never a 600 MB string.
 */
export async function readTree(root: string, dirs: readonly string[], skip: (path: string) => boolean = () => false): Promise<Map<string, string>> {
  const paths = await listFiles(root, dirs, skip);
  const texts = await mapLimit(paths, READ_CONCURRENCY, (p) => readForPlan(join(root, p)));
  return new Map(paths.map((p, i) => [p, texts[i]!]));
}


/** Every file below `dir` → sha256 of its bytes, streamed (no file is held in memory). */
export async function hashTree(root: string, dir: string): Promise<Map<string, string>> {
  const paths = await listFiles(root, [dir]);
  const sums = await mapLimit(paths, READ_CONCURRENCY, (p) => hashFile(join(root, p)));
  return new Map(paths.map((p, i) => [p, sums[i]!]));
}

export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    for await (const chunk of fh.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Writes one file atomically: a temp file beside it (fsynced), renamed over it. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.llm-gitops-${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
