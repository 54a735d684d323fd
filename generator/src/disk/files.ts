/** Reading the repository: catalogs and the files under the folders the tool owns. */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export const CATALOG = 'catalog.yaml';
export const JOURNAL = '.llm-gitops-journal.json';

export interface CatalogText {
  readonly env: string;
  /** Repository-relative path. */
  readonly file: string;
  readonly text: string;
}

async function exists(path: string): Promise<boolean> {
  try {
    await readdir(path);
    return true;
  } catch {
    return false;
  }
}

/** Environment folders that hold a catalog.yaml, sorted. */
export async function listEnvironments(root: string): Promise<string[]> {
  const dir = join(root, 'environments');
  if (!(await exists(dir))) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  const envs: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    try {
      await readFile(join(dir, e.name, CATALOG));
      envs.push(e.name);
    } catch {
      /* a folder without catalog: not an environment (its generated files are removed) */
    }
  }
  return envs.sort();
}

export async function readCatalogs(root: string, envs: readonly string[]): Promise<CatalogText[]> {
  return Promise.all(
    envs.map(async (env) => {
      const file = `environments/${env}/${CATALOG}`;
      return { env, file, text: await readFile(join(root, file), 'utf8') };
    }),
  );
}

/** Every file below `dirs` (repository-relative), except what `skip` excludes. */
export async function readTree(root: string, dirs: readonly string[], skip: (path: string) => boolean = () => false): Promise<Map<string, string>> {
  const out = new Map<string, string>();
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
        if (e.isFile()) out.set(rel, await readFile(child, 'utf8'));
      }),
    );
  };
  await Promise.all(dirs.map((d) => walk(join(root, d))));
  return out;
}

export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}
