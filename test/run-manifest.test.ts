/**
 * The run manifest (manifest/): an unchanged generate or check replays the recorded result after
 * reading and hashing the tree, and never says "up to date" for a tree a full run would call
 * stale. Real files, real cache folder; each run's `reused` says which path it took.
 */
import { appendFileSync, cpSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generate, type GenerateResult } from '../generator/src/commands/generate.js';
import { check, type CheckResult } from '../generator/src/commands/check.js';
import { MAX_MANIFEST_BYTES, parseManifest, slotOf } from '../generator/src/manifest/store.js';
import { fingerprintOf } from '../generator/src/manifest/fingerprint.js';
import { repoWith, tempDir } from './helpers/repo.js';
import { write } from './helpers/gitops-repo.js';

const CATALOG = `namespace: llm-dev
platform: { mode: none }
profiles:
  h100: { accelerator: nvidia, nodeSelector: { nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3 } }
defaults: { hfTokenSecret: hf-token }
models:
  big: { uri: hf://org/model-0, profile: h100:1, replicas: 2 }
  opt: { uri: hf://facebook/opt-125m, accelerator: cpu, router: none }
`;

let repo: { dir: string; cleanup: () => void };
let cache: { dir: string; cleanup: () => void };
const vars = () => ({ LLM_GITOPS_CACHE: cache.dir });
const gen = (v: Record<string, string> = vars()) => generate({ root: repo.dir, envs: [], dryRun: false, lockTimeoutMs: 0, vars: v });
const chk = (v: Record<string, string> = vars()) => check(repo.dir, [], v);
/** A run's result without the field that says which path it took. */
const plain = <T extends GenerateResult | CheckResult>(r: T) => {
  const { reused: _, ...rest } = r;
  return rest;
};

beforeEach(() => {
  repo = repoWith({ dev: CATALOG });
  cache = tempDir('llm-gitops-manifest-cache-');
});
afterEach(() => {
  repo.cleanup();
  cache.cleanup();
});

describe('run manifest', () => {
  it('an unchanged run is reused, and its result is exactly what a full run gives', async () => {
    const first = await gen();
    expect(first.reused).toBeUndefined();
    expect(first.changes.length).toBeGreaterThan(3);
    expect(first.warnings.length).toBeGreaterThan(0); // the replay has something to replay
    expect(first.notes.length).toBe(1);
    const hit = await gen();
    expect(hit.reused).toBe(true);
    const fresh = tempDir('llm-gitops-manifest-cache-');
    try {
      const full = await gen({ LLM_GITOPS_CACHE: fresh.dir }); // same tree, no manifest: a full run
      expect(full.reused).toBeUndefined();
      expect(plain(hit)).toStrictEqual(full);
      await chk();
      const checkHit = await chk();
      const checkFull = await chk({ LLM_GITOPS_CACHE: join(fresh.dir, 'other') });
      expect(checkHit.reused).toBe(true);
      expect(checkFull.reused).toBeUndefined();
      expect(plain(checkHit)).toStrictEqual(checkFull);
      expect(checkHit.stale).toEqual([]);
    } finally {
      fresh.cleanup();
    }
  });

  it('a generated file edited by hand, removed, or left over is still found stale', async () => {
    await gen();
    expect((await chk()).reused).toBeUndefined();
    expect((await chk()).reused).toBe(true);
    const model = join(repo.dir, 'environments/dev/models/big.yaml');
    const original = readFileSync(model, 'utf8');
    appendFileSync(model, '# an edit by hand\n');
    const edited = await chk();
    expect(edited.reused).toBeUndefined();
    expect(edited.stale.map((i) => `${i.file}: ${i.message}`)).toEqual(['environments/dev/models/big.yaml: differs from the catalog — run `llm-gitops generate` and commit the result']);
    writeFileSync(model, original.replace('replicas: 2', 'replicas: 3')); // same length, other bytes
    expect((await chk()).stale.map((i) => i.file)).toEqual(['environments/dev/models/big.yaml']);
    unlinkSync(model);
    expect((await chk()).stale.map((i) => i.message.split(' —')[0])).toEqual(['missing']);
    writeFileSync(model, original);
    expect((await chk()).reused).toBe(true);
    cpSync(model, join(repo.dir, 'environments/dev/models/gone.yaml')); // generated, but no catalog entry
    const left = await chk();
    expect(left.reused).toBeUndefined();
    expect(left.stale.map((i) => `${i.file} ${i.message.split(' —')[0]}`)).toEqual(['environments/dev/models/gone.yaml is no longer produced by any catalog']);
    expect((await gen()).changes.map((c) => `${c.kind} ${c.path}`)).toEqual(['delete environments/dev/models/gone.yaml']);
  });

  it('editing a catalog (or the library, or a setting) is a miss, also when the edit is undone', async () => {
    await gen();
    const catalog = join(repo.dir, 'environments/dev/catalog.yaml');
    writeFileSync(catalog, CATALOG.replace('replicas: 2', 'replicas: 4'));
    const edited = await gen();
    expect(edited.reused).toBeUndefined();
    expect(edited.changes.map((c) => `${c.kind} ${c.path}`)).toContain('update environments/dev/models/big.yaml');
    writeFileSync(catalog, CATALOG); // back: the tree still holds replicas 4
    const undone = await chk();
    expect(undone.reused).toBeUndefined();
    expect(undone.stale.map((i) => i.file)).toContain('environments/dev/models/big.yaml');
    await gen();
    expect((await gen()).reused).toBe(true);
    writeFileSync(join(repo.dir, 'environments/library.yaml'), 'models: {}\n');
    expect((await gen()).reused).toBeUndefined();
    expect((await gen()).reused).toBe(true);
    expect((await gen({ ...vars(), LLM_GITOPS_SOMETHING: '1' })).reused).toBeUndefined();
  });

  it('CRDs arriving where the admission gate reads them are a miss', async () => {
    await gen();
    expect((await gen()).reused).toBe(true);
    const vendored = join(repo.dir, 'base/vendor/kserve/v0.20.0/config/crd/full/llmisvc');
    mkdirSync(vendored, { recursive: true });
    writeFileSync(join(vendored, 'crds.yaml'), 'kind: NotACrd\n'); // any change of that folder counts
    expect((await gen()).reused).toBeUndefined();
    expect((await gen()).reused).toBe(true);
    writeFileSync(join(vendored, 'crds.yaml'), 'kind: NotACrdEither\n');
    expect((await gen()).reused).toBeUndefined();
  });

  it('a corrupt, oversized or forged cache entry is ignored and replaced', async () => {
    await gen();
    await chk();
    const slot = join(cache.dir, slotOf('check', repo.dir, []));
    const good = readFileSync(slot, 'utf8');
    expect(parseManifest(good)).toBeDefined();
    const bad = [
      '{ not json',
      JSON.stringify({ ...JSON.parse(good), extra: 1 }),
      JSON.stringify({ ...JSON.parse(good), tree: 'x' }),
      JSON.stringify({ ...JSON.parse(good), warnings: [{ file: 'f', message: 'forged', severity: 'error' }] }),
      JSON.stringify({ ...JSON.parse(good), files: [...JSON.parse(good).files, JSON.parse(good).files[0]] }),
    ];
    for (const text of bad) {
      expect(parseManifest(text)).toBeUndefined();
      writeFileSync(slot, text);
      const r = await chk();
      expect(r.reused).toBeUndefined();
      expect(r.stale).toEqual([]);
      expect((await chk()).reused).toBe(true); // the miss wrote a good one back
    }
    writeFileSync(slot, good + ' '.repeat(MAX_MANIFEST_BYTES)); // valid JSON, but too big to be read
    expect((await chk()).reused).toBeUndefined();
    rmSync(slot);
    mkdirSync(slot); // a folder where the entry goes: ignored, and the run still succeeds
    const r = await chk();
    expect(r.reused).toBeUndefined();
    expect(r.stale).toEqual([]);
  });

  it('the tool is part of the key: any module edited, added or removed, or a dependency reinstalled at another version', async () => {
    const tool = tempDir('llm-gitops-tool-');
    try {
      const pkg = (v: string) => write(tool.dir, 'node_modules/yaml/package.json', JSON.stringify({ name: 'yaml', version: v }));
      write(tool.dir, 'package.json', JSON.stringify({ name: 'tool', dependencies: { yaml: '^2' } }));
      pkg('2.9.1');
      write(tool.dir, 'dist/cli.js', 'export {};\n');
      write(tool.dir, 'dist/render/yaml.js', 'export const a = 1;\n');
      const fp = () => fingerprintOf(join(tool.dir, 'dist'));
      const f0 = await fp();
      write(tool.dir, 'dist/render/yaml.js', 'export const a = 2;\n'); // same size, other bytes
      const f1 = await fp();
      write(tool.dir, 'dist/render/extra.js', '');
      const f2 = await fp();
      rmSync(join(tool.dir, 'dist/render/extra.js'));
      const f3 = await fp();
      pkg('2.9.2');
      const f4 = await fp();
      rmSync(join(tool.dir, 'node_modules'), { recursive: true });
      const f5 = await fp();
      expect(new Set([f0, f1, f2, f4, f5]).size).toBe(5);
      expect(f3).toBe(f1); // content, not history: the same modules hash the same
    } finally {
      tool.cleanup();
    }
  });
});
