/**
 * Built-in entries + the organisation's environments/library.yaml → the Library a catalog's
 * `use:` resolves against. Strict like a catalog: anchors refused, unknown keys and wrong types
 * are errors at file:line:col. Pure: the caller reads the file.
 */
import { failed, ok, type Issue, type Result } from '../errors.js';
import { parseCatalog, type PathKey } from '../catalog/document.js';
import { BUILTIN } from './builtin.js';
import type { LibraryEntry, LibraryRecord } from './entry.js';
import { librarySchema } from './schema.js';

export interface LibrarySource {
  readonly file: string;
  readonly text: string;
}

export type Library = ReadonlyMap<string, LibraryRecord>;

export function builtinLibrary(): Library {
  return new Map(Object.entries(BUILTIN).map(([id, e]) => [id, { ...e, id, origin: 'built-in' }]));
}

export function loadLibrary(src: LibrarySource | undefined): Result<Library> {
  const lib = new Map(builtinLibrary());
  if (!src) return ok(lib);
  const { doc, issues } = parseCatalog(src.file, src.text);
  if (!doc) return failed(issues);
  if (doc.data === null || doc.data === undefined) return ok(lib);
  const parsed = librarySchema.safeParse(doc.data, { reportInput: true });
  if (!parsed.success) {
    const out: Issue[] = parsed.error.issues.flatMap((i) => {
      const path = i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as PathKey[];
      if (i.code === 'unrecognized_keys') return i.keys.map((k) => doc.at([...path, k], `unknown key "${k}" — see generator/schema/library.schema.json for the keys of an entry`, { onKey: true }));
      if (i.code === 'invalid_type' && (i as { input?: unknown }).input === undefined) return [doc.at(path, `is required — add ${String(path[path.length - 1])}:`)];
      return [doc.at(path, i.message)];
    });
    return failed(out);
  }
  for (const [id, e] of Object.entries(parsed.data.models)) {
    const entry: LibraryEntry = { ...e, args: e.args ?? [], gpus: e.gpus as LibraryEntry['gpus'] };
    lib.set(id, { ...entry, id, origin: src.file });
  }
  return ok(lib);
}
