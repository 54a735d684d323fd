/**
 * Sharded delivery (sharding/assign.ts): above `delivery.shardAbove` models an environment's
 * models are split into `delivery.shards` units, each its own kustomization and Argo CD
 * Application / Flux Kustomization. The assignment must be stable (adding or removing a model
 * never moves another; a new shard count moves only what the new shards win), every shard must
 * build with real kustomize, and health's plan must know each model's unit. Small numbers here:
 * the 5,000-model build time is measured by `npm run bench`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadRepository } from '../generator/src/catalog/repository.js';
import { planEnvironment } from '../generator/src/health/plan.js';
import { shardOf } from '../generator/src/sharding/assign.js';
import { cli, kustomize, repoWith } from './helpers/repo.js';

const names = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `model-${from + i}`);

describe('shard assignment', () => {
  it('adding or removing models never moves another model', () => {
    const before = new Map(names(500).map((m) => [m, shardOf(m, 16)]));
    const after = new Map([...names(480, 20), ...names(100, 10_000)].map((m) => [m, shardOf(m, 16)]));
    for (const [m, s] of after) if (before.has(m)) expect(s, m).toBe(before.get(m));
  });

  it('a new shard count moves only the models the new shard wins', () => {
    const models = names(3000);
    const moved = models.filter((m) => shardOf(m, 8) !== shardOf(m, 9));
    for (const m of moved) expect(shardOf(m, 9)).toBe(8);
    expect(moved.length / models.length).toBeGreaterThan(0.05);
    expect(moved.length / models.length).toBeLessThan(0.2); // ≈ 1/9
  });

  it('spreads models evenly', () => {
    const counts = new Array<number>(32).fill(0);
    for (const m of names(5000)) counts[shardOf(m, 32)]!++;
    const mean = 5000 / 32;
    for (const c of counts) {
      expect(c).toBeGreaterThan(mean * 0.7);
      expect(c).toBeLessThan(mean * 1.3);
    }
  });
});

const catalog = (engine: 'argocd' | 'flux', models: string[]) =>
  [
    'namespace: llm-big',
    'platform: { mode: none }',
    `delivery: { engine: ${engine}, repoURL: https://git.example.com/gitops.git, shardAbove: 4, shards: 3 }`,
    'presets:',
    '  tuned: { spec: { template: { containers: [{ name: main, env: [{ name: A, value: b }] }] } } }',
    'models:',
    ...models.map((m, i) => (i % 3 === 0 ? `  ${m}: { uri: pvc://store/${m}, name: org/${m}, accelerator: cpu, router: none, download: { from: hf://org/${m}, size: 1Gi } }` : `  ${m}: { uri: hf://org/${m}, accelerator: cpu, router: none, presets: [tuned] }`)),
    '',
  ].join('\n');

const objects = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown> });

describe.each(['argocd', 'flux'] as const)('a sharded %s environment', (engine) => {
  const models = names(8);
  let repo: { dir: string; cleanup: () => void };
  beforeAll(async () => {
    repo = repoWith({ big: catalog(engine, models) });
    const r = await cli(['generate'], repo.dir);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => repo?.cleanup());

  it('every shard builds with kustomize and holds exactly its models; the models unit holds what they share', async () => {
    const seen: string[] = [];
    for (let k = 0; k < 3; k++) {
      const built = objects(await kustomize(join(repo.dir, 'environments', 'big', 'shards', `0${k}`)));
      const mine = models.filter((m) => shardOf(m, 3) === k);
      expect(built.filter((o) => o.kind === 'LLMInferenceService').map((o) => o.metadata.name).sort()).toEqual(mine.sort());
      for (const o of built) expect(o.metadata.namespace).toBe('llm-big');
      seen.push(...built.filter((o) => o.kind === 'LLMInferenceService').map((o) => o.metadata.name));
      expect(built.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => o.metadata.name)).toEqual(['store'].filter((c) => shardOf(c, 3) === k));
      // A model's download Job goes with it.
      expect(built.filter((o) => o.kind === 'Job').length).toBe(mine.filter((m) => models.indexOf(m) % 3 === 0).length);
    }
    expect(seen.sort()).toEqual([...models].sort());
    const shared = objects(await kustomize(join(repo.dir, 'environments', 'big')));
    expect(shared.filter((o) => o.kind === 'LLMInferenceService')).toEqual([]);
    expect(shared.map((o) => o.kind)).toEqual(expect.arrayContaining(['Namespace', 'LLMInferenceServiceConfig']));
    // Claims go to the shard of their own name (shared claims would make the shared unit slow to build).
    expect(shared.filter((o) => o.kind === 'PersistentVolumeClaim')).toEqual([]);
  });

  it('delivers each shard as its own unit, after the models unit', async () => {
    const units = objects(await kustomize(join(repo.dir, 'environments', 'big', 'delivery', 'apps')));
    expect(units.map((u) => u.metadata.name)).toEqual(['big-models', 'big-models-00', 'big-models-01', 'big-models-02']);
    for (const [k, u] of units.slice(1).entries()) {
      if (engine === 'argocd') {
        expect((u.spec!.source as { path: string }).path).toBe(`environments/big/shards/0${k}`);
        expect((u as { metadata: { annotations?: Record<string, string> } }).metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBe('2');
      } else {
        expect(u.spec!.path).toBe(`./environments/big/shards/0${k}`);
        expect(u.spec!.dependsOn).toEqual([{ name: 'big-models' }]);
      }
    }
  });

  it('a new model changes only its own shard', async () => {
    const more = [...models, 'model-new'];
    writeFileSync(join(repo.dir, 'environments', 'big', 'catalog.yaml'), catalog(engine, more));
    const r = await cli(['generate'], repo.dir);
    expect(r.code, r.stderr).toBe(0);
    const changed = r.stdout.split('\n').filter((l) => /^\s+(created|updated|removed)/.test(l)).map((l) => l.trim().split(/\s+/)[1]);
    const dir = `environments/big/shards/0${shardOf('model-new', 3)}`;
    // (The environment's README lists its models: not part of any delivery unit.)
    expect(changed.filter((p) => p !== 'environments/big/README.md').sort()).toEqual([`${dir}/kustomization.yaml`, `${dir}/models/model-new.yaml`]);
  });

  it("health's plan names every delivery unit and each model's shard", () => {
    const text = readFileSync(join(repo.dir, 'environments', 'big', 'catalog.yaml'), 'utf8');
    const loaded = loadRepository([{ env: 'big', file: 'environments/big/catalog.yaml', text }]);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const plan = planEnvironment(loaded.value.environments[0]!);
    expect(plan.delivery).toEqual(['big-delivery', 'big-models', 'big-models-00', 'big-models-01', 'big-models-02']);
    for (const m of plan.models) expect(m.unit).toBe(`big-models-0${shardOf(m.name, 3)}`);
    expect(Object.keys(parse(text).models)).toHaveLength(plan.models.length);
  });
});

it('an environment at or below the threshold is delivered as one models unit, as before', async () => {
  const repo = repoWith({ big: catalog('argocd', names(4)) });
  try {
    expect((await cli(['generate'], repo.dir)).code).toBe(0);
    const units = objects(await kustomize(join(repo.dir, 'environments', 'big', 'delivery', 'apps')));
    expect(units.map((u) => u.metadata.name)).toEqual(['big-models']);
    expect(objects(await kustomize(join(repo.dir, 'environments', 'big'))).filter((o) => o.kind === 'LLMInferenceService')).toHaveLength(4);
  } finally {
    repo.cleanup();
  }
});
