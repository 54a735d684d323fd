/**
 * The request budget: one round lists each kind once per namespace, paginated, so the number of
 * API requests never grows with the number of models — only with pages, when a namespace holds
 * more objects than one page. Counted as HTTP requests the fake API server answered (each page
 * of each list is one request; discovery is never needed by client-node).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect } from '../generator/src/cluster/client.js';
import { assessRound } from '../generator/src/health/assess.js';
import { listKey, type ListOutcome } from '../generator/src/health/observation.js';
import { listRequests, type HealthPlan } from '../generator/src/health/plan.js';
import { writeBenchRepo } from '../scripts/bench-catalogs.mjs';
import { FakeApiServer } from './helpers/fake-apiserver.js';
import { benchSeedEnvs, llmisvc, seedHealthy, type SeedEnv } from './helpers/health-fixtures.js';
import { allTypes } from './helpers/fake-apiserver-types.js';
import { cli, tempDir } from './helpers/repo.js';

const benchEnvs = benchSeedEnvs;

function planOf(envs: readonly SeedEnv[]): HealthPlan {
  return {
    version: 1,
    environments: envs.map((e) => ({
      env: e.env,
      namespace: e.namespace,
      engine: e.engine,
      deliveryNamespace: e.engine === 'flux' ? 'flux-system' : 'argocd',
      delivery: [`${e.env}-delivery`, `${e.env}-platform`, `${e.env}-models`],
      models: e.models.map((name) => ({ name, stopped: false })),
    })),
  };
}

/** One in-process round (the command's observe + assess) → requests it made and the verdicts. */
async function round(models: number, pageSize: number) {
  const envs = benchEnvs(models);
  const fake = await FakeApiServer.start();
  const tmp = tempDir();
  try {
    seedHealthy(fake, envs);
    const reader = connect({ kubeconfig: fake.writeKubeconfig(join(tmp.dir, 'kubeconfig')), pageSize });
    const plan = planOf(envs);
    const lists = new Map<string, ListOutcome>();
    for (const r of listRequests(plan)) lists.set(listKey(r.kind.kind, r.namespace), await reader.list(r.kind, r.namespace));
    const result = assessRound(plan, { lists, requests: reader.requests }, { now: Date.now(), progressDeadlineMs: 900_000 });
    return { requests: fake.dataRequests.length, clientCount: reader.requests, lists: listRequests(plan).length, result };
  } finally {
    await fake.close();
    tmp.cleanup();
  }
}

describe('request budget', () => {
  it('1,000 models in 10 namespaces (the built CLI): one round = kinds × namespaces requests, every model judged', async () => {
    const tmp = tempDir();
    const fake = await FakeApiServer.start();
    try {
      writeBenchRepo(tmp.dir, { envs: 10, models: 100 });
      seedHealthy(fake, benchEnvs(100));
      const r = await cli(['health', '--once', '--output', 'json', '--kubeconfig', fake.writeKubeconfig(join(tmp.dir, 'kubeconfig'))], tmp.dir);
      expect(r.code, r.stderr).toBe(0);
      const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      const summary = records.pop();
      expect(records.filter((x) => x.kind === 'LLMInferenceService' && x.status === 'Healthy')).toHaveLength(1000);
      const prerequisites = benchEnvs(100).reduce((n, e) => n + e.prerequisites!.length, 0);
      expect(prerequisites).toBeGreaterThan(0);
      expect(records.filter((x) => x.kind !== 'LLMInferenceService' && x.status === 'Healthy')).toHaveLength(30 + prerequisites);
      // LLMInferenceService × 10 namespaces + Application × argocd + Kustomization × flux-system.
      expect(fake.dataRequests).toHaveLength(12);
      expect(fake.requests).toHaveLength(12); // no discovery, no gets, no watches
      expect(summary.requests).toBe(12);
      expect(new Set(fake.dataRequests.map((q) => q.path)).size).toBe(12);
    } finally {
      await fake.close();
      tmp.cleanup();
    }
  });

  it('models not Ready in 2 of 10 namespaces: their children once per kind in those namespaces only (+ the Gateways once)', async () => {
    const tmp = tempDir();
    const fake = await FakeApiServer.start({ types: allTypes() });
    try {
      writeBenchRepo(tmp.dir, { envs: 10, models: 100 });
      seedHealthy(fake, benchEnvs(100));
      fake.put(llmisvc('llm-env3', 'model-0007', 'progressing'));
      fake.put(llmisvc('llm-env3', 'model-0042', 'progressing'));
      fake.put(llmisvc('llm-env8', 'model-0099', 'progressing'));
      const r = await cli(['health', '--once', '--output', 'json', '--kubeconfig', fake.writeKubeconfig(join(tmp.dir, 'kubeconfig'))], tmp.dir);
      expect(r.code, r.stderr).toBe(4);
      // 12 as above + 6 child kinds × 2 namespaces + Gateways in kserve.
      expect(fake.dataRequests).toHaveLength(12 + 6 * 2 + 1);
      expect(JSON.parse(r.stdout.trim().split('\n').pop()!).requests).toBe(25);
      expect(fake.dataRequests.filter((q) => q.path.endsWith('/pods')).map((q) => q.path).sort()).toEqual(['/api/v1/namespaces/llm-env3/pods', '/api/v1/namespaces/llm-env8/pods']);
    } finally {
      await fake.close();
      tmp.cleanup();
    }
  });

  it('10× the models, same number of requests while a page holds a namespace; more only by pages', async () => {
    const small = await round(10, 500); // 100 models
    const large = await round(100, 500); // 1,000 models
    expect(small.lists).toBe(12);
    expect(small.requests).toBe(12);
    expect(large.requests).toBe(12);
    expect(large.clientCount).toBe(12);
    expect(large.result.verdicts.filter((v) => v.status === 'Healthy')).toHaveLength(1030);

    // 50 per page: 100 models per namespace take 2 pages; delivery lists (≤ 27 objects) one.
    const paged = await round(100, 50);
    expect(paged.requests).toBe(10 * 2 + 2);
    expect(paged.result.verdicts).toHaveLength(1030);
    expect((await round(10, 50)).requests).toBe(12);
  });
});
