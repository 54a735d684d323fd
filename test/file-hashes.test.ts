/**
 * manifest/hashes.ts: a file's recorded sha256 stands for its content only while its stat is the
 * recorded one, and only once that stat is older than the racy window; a damaged index is ignored.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileHashes, parseIndex, RACY_MS } from '../generator/src/manifest/hashes.js';
import { fingerprintOf } from '../generator/src/manifest/fingerprint.js';
import { DiskCache } from '../generator/src/validate/cache.js';
import { SchemaStore } from '../generator/src/validate/schema-store.js';
import { tempDir } from './helpers/repo.js';
import { llmisvcCrd } from './helpers/tiny-crd.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
/** A clock past the racy window of every file just written: what a later run sees. */
const later = () => Date.now() + 10 * RACY_MS;

let work: ReturnType<typeof tempDir>;
let cache: DiskCache;
beforeEach(() => {
  work = tempDir('llm-gitops-hashes-');
  cache = new DiskCache(join(work.dir, 'cache'));
});
afterEach(() => work.cleanup());

/** The index file's text (one per name). */
const indexText = () => {
  const dir = join(work.dir, 'cache', 'hashes');
  return readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8');
};

describe('file hashes by stat', () => {
  it('trusts a recorded stat (not reading the file), and hashes again once the stat changes', async () => {
    const f = join(work.dir, 'a.yaml');
    writeFileSync(f, 'one');
    const first = await FileHashes.open(cache, 't', later);
    expect(first.hash(f)).toEqual({ sha: sha('one'), utf8: true });
    await first.save();
    // Forge the recorded sha, keeping the checksum right: a run that believes the stat returns it unread.
    const v = JSON.parse(indexText()) as { format: string; rows: string };
    const rows = v.rows.replace(sha('one'), sha('forged'));
    writeFileSync(join(work.dir, 'cache', 'hashes', readdirSync(join(work.dir, 'cache', 'hashes'))[0]!), JSON.stringify({ format: v.format, sum: sha(rows), rows }));
    expect((await FileHashes.open(cache, 't', later)).hash(f)?.sha).toBe(sha('forged'));
    // Same size, other bytes, another mtime: read again.
    writeFileSync(f, 'two');
    utimesSync(f, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    expect((await FileHashes.open(cache, 't', later)).hash(f)?.sha).toBe(sha('two'));
  });

  it('records nothing inside the racy window, so a write in the same tick cannot hide', async () => {
    const f = join(work.dir, 'a.yaml');
    writeFileSync(f, 'one');
    const now = await FileHashes.open(cache, 't'); // the real clock: the file was written just now
    expect(now.hash(f)?.sha).toBe(sha('one'));
    await now.save();
    expect(existsSync(join(work.dir, 'cache', 'hashes'))).toBe(false); // nothing to write
  });

  it('keeps the rows a run did not use when it writes the ones it recorded', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((n) => join(work.dir, `${n}.yaml`)) as [string, string, string];
    for (const f of [a, b, c]) writeFileSync(f, f);
    const first = await FileHashes.open(cache, 't', later);
    first.hash(a);
    first.hash(b);
    await first.save();
    const second = await FileHashes.open(cache, 't', later);
    second.hash(c); // recorded: the index is written, b and a still in it
    await second.save();
    expect([...parseIndex(indexText()).keys()].sort()).toEqual([a, b, c]);
  });

  it('ignores a damaged index (checksum, shape, format) and hashes the files', async () => {
    const f = join(work.dir, 'a.yaml');
    writeFileSync(f, 'one');
    const first = await FileHashes.open(cache, 't', later);
    first.hash(f);
    await first.save();
    const good = indexText();
    const file = join(work.dir, 'cache', 'hashes', readdirSync(join(work.dir, 'cache', 'hashes'))[0]!);
    const forged = good.replace(sha('one'), sha('forged')); // the checksum no longer matches
    for (const bad of [forged, good.slice(0, -3), '[]', good.replace('file-hashes-1', 'file-hashes-0')]) {
      writeFileSync(file, bad);
      expect({ bad, sha: (await FileHashes.open(cache, 't', later)).hash(f)?.sha }).toEqual({ bad, sha: sha('one') });
    }
    writeFileSync(file, good);
    expect((await FileHashes.open(cache, 't', later)).hash(f)?.sha).toBe(sha('one'));
  });

  it("lists a folder from the index until an entry is added or removed (the folder's stat changes)", async () => {
    const d = join(work.dir, 'crds');
    mkdirSync(join(d, 'sub'), { recursive: true });
    writeFileSync(join(d, 'a.yaml'), '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(d, old, old);
    const first = await FileHashes.open(cache, 't', later);
    expect(first.list(d)).toEqual({ files: ['a.yaml'], dirs: ['sub'] });
    await first.save();
    writeFileSync(join(d, 'b.yaml'), '');
    expect((await FileHashes.open(cache, 't', later)).list(d)).toEqual({ files: ['a.yaml', 'b.yaml'], dirs: ['sub'] });
    rmSync(join(d, 'sub'), { recursive: true });
    expect((await FileHashes.open(cache, 't', later)).list(d)).toEqual({ files: ['a.yaml', 'b.yaml'], dirs: [] });
  });

  it('gives the tool fingerprint of a full read, through edits, added and removed modules', async () => {
    const dist = join(work.dir, 'tool', 'dist');
    mkdirSync(join(dist, 'render'), { recursive: true });
    writeFileSync(join(work.dir, 'tool', 'package.json'), '{}');
    let t = Date.now() - 600_000;
    // Each write gets an mtime of its own (a later run's view: no two writes in one tick).
    const stamp = (path: string) => {
      t += 1000;
      utimesSync(path, new Date(t), new Date(t));
    };
    const put = (rel: string, text: string) => {
      writeFileSync(join(dist, rel), text);
      stamp(join(dist, rel));
      stamp(join(dist, rel, '..'));
    };
    const both = async () => {
      const full = await fingerprintOf(dist);
      const index = await FileHashes.open(cache, 'tool', later);
      const indexed = await fingerprintOf(dist, index);
      await index.save();
      expect(indexed).toBe(full);
      return indexed;
    };
    put('cli.js', 'export {};\n');
    put('render/yaml.js', 'export const a = 1;\n');
    const f0 = await both();
    expect(await both()).toBe(f0);
    put('render/yaml.js', 'export const a = 2;\n'); // same size, other bytes
    const f1 = await both();
    put('render/extra.js', '');
    const f2 = await both();
    rmSync(join(dist, 'render', 'extra.js'));
    stamp(join(dist, 'render'));
    const f3 = await both();
    expect(new Set([f0, f1, f2]).size).toBe(3);
    expect(f3).toBe(f1);
  });
});

describe('schema locations through the index', () => {
  /** A cache that runs `before` when a CRD index entry is read (and then has none: convert again). */
  class Forgetful extends DiskCache {
    constructor(dir: string, private readonly before: () => void = () => undefined) {
      super(dir);
    }
    override readBytes(key: string) {
      if (!key.startsWith('crd/') || key.startsWith('crd/kinds-')) return super.readBytes(key);
      this.before();
      return Promise.resolve(undefined);
    }
  }

  it('finds the schema of an unchanged (unread) CRD file, and errs when the file changes under the run', async () => {
    const dir = join(work.dir, 'crds');
    mkdirSync(dir);
    const crd = join(dir, 'llmisvc.yaml');
    writeFileSync(crd, llmisvcCrd({ type: 'object', properties: { spec: { type: 'object' } } }));
    const open = () => FileHashes.open(cache, 'loc', later);
    const look = (c: DiskCache) => {
      const store = new SchemaStore([{ type: 'path', path: dir }], c, {}, open);
      return store.lookup('serving.kserve.io/v1alpha2', 'LLMInferenceService');
    };
    const first = await look(cache); // read, converted, its kinds cached, its stat recorded
    expect(first.found?.source).toBe(crd);
    const index = await open();
    index.hash(crd);
    await index.save();
    // Known by its stat: the kinds come from the cache; with no CRD entry the file is read then, and converted the same.
    const again = await look(new Forgetful(join(work.dir, 'cache')));
    expect(again.found?.key).toBe(first.found?.key);
    // Changed between its stat and that read: the run must not convert new bytes under the old key.
    const changed = await look(new Forgetful(join(work.dir, 'cache'), () => writeFileSync(crd, llmisvcCrd({ type: 'object' }))));
    expect(changed.error).toMatch(/changed while validate was running/);
  });
});
