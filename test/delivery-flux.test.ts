/**
 * Flux delivery: the example catalogs switched to `delivery.engine: flux` (vendored, so the
 * delivered folders build offline) and catalog variants. Every kustomization is built with the
 * real kustomize; GitRepository and Kustomizations are checked against the real source-controller
 * v1.9.1 and kustomize-controller v1.9.4 CRDs; the LLMInferenceService health expressions are run
 * with a real CEL interpreter in the order kustomize-controller evaluates them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate } from '@marcbachmann/cel-js';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crdValidator } from './helpers/crd-ajv.js';
import { cli, exampleCatalogs, KSERVE_SRC, kustomizationDirs, kustomize, repoWith, UPSTREAM, vendoredRepo } from './helpers/repo.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const GITREPOSITORY_CRD = join(UPSTREAM, 'source-controller', 'v1.9.1', 'config', 'crd', 'bases', 'source.toolkit.fluxcd.io_gitrepositories.yaml');
const KUSTOMIZATION_CRD = join(UPSTREAM, 'kustomize-controller', 'v1.9.4', 'config', 'crd', 'bases', 'kustomize.toolkit.fluxcd.io_kustomizations.yaml');
/** Documents of a YAML stream, GitRepository first (kustomize orders unknown kinds its own way). */
const docs = (text: string): Obj[] =>
  parseAllDocuments(text)
    .map((d) => d.toJSON() as Obj)
    .filter(Boolean)
    .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'GitRepository' ? -1 : b.kind === 'GitRepository' ? 1 : 0));
const read = (dir: string, path: string): Obj => parse(readFileSync(join(dir, path), 'utf8')) as Obj;

function expectValidFlux(objs: Obj[]): void {
  for (const o of objs) {
    const v = crdValidator(o.kind === 'GitRepository' ? GITREPOSITORY_CRD : KUSTOMIZATION_CRD);
    expect(v.validate(o), `${o.kind}/${o.metadata?.name}`).toEqual([]);
  }
}

const fluxCatalogs = () => Object.fromEntries(Object.entries(exampleCatalogs()).map(([env, text]) => [env, text.replace('engine: argocd', 'engine: flux')]));

let repo: { dir: string; cleanup: () => void };
beforeAll(async () => {
  repo = await vendoredRepo(fluxCatalogs());
});
afterAll(() => repo?.cleanup());

describe('Flux delivery of the example environments', () => {
  it('builds with kustomize: source + root at delivery/, two units at delivery/apps, all valid against the CRDs', async () => {
    const dirs = kustomizationDirs(repo.dir).filter((d) => d.includes('/delivery'));
    expect(dirs).toEqual(['dev', 'prod'].flatMap((e) => [`environments/${e}/delivery`, `environments/${e}/delivery/apps`]));
    for (const env of ['dev', 'prod']) {
      const top = docs(await kustomize(join(repo.dir, 'environments', env, 'delivery')));
      expect(top.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([`GitRepository/${env}-delivery`, `Kustomization/${env}-delivery`]);
      const units = docs(await kustomize(join(repo.dir, 'environments', env, 'delivery', 'apps')));
      // Plus one Kustomization per prerequisite unit (test/prerequisites.test.ts).
      expect(units.filter((o) => !o.metadata.labels?.['llm-gitops/prerequisite']).map((o) => o.metadata.name).sort()).toEqual([`${env}-models`, `${env}-platform`]);
      expectValidFlux([...top, ...units]);
      for (const k of [...top, ...units].filter((o) => o.kind === 'Kustomization')) {
        expect(k.spec.sourceRef).toEqual({ kind: 'GitRepository', name: `${env}-delivery` });
        expect(k.metadata.namespace).toBe('flux-system');
        // Every delivered path is a kustomization folder of the tree.
        expect(existsSync(join(repo.dir, k.spec.path, 'kustomization.yaml')), k.spec.path).toBe(true);
      }
      expect(top[1]!.spec.path).toBe(`./environments/${env}/delivery/apps`);
      expect(top[0]!.spec).toEqual({ interval: '1m', url: 'https://github.com/example-org/llm-gitops.git', ref: { branch: 'main' } });
    }
    // The schema check is strict.
    const v = crdValidator(KUSTOMIZATION_CRD);
    expect(v.validate({ ...top0(), spec: { ...top0().spec, waitFor: true } })).toEqual(['/spec must NOT have additional properties (waitFor)']);
    expect(v.validate({ ...top0(), spec: { ...top0().spec, deletionPolicy: 'Cascade' } })).toEqual(['/spec/deletionPolicy must be equal to one of the allowed values']);
  });

  it('orders models after the platform and makes their Ready mean every model is Ready', async () => {
    const platform = read(repo.dir, 'environments/prod/delivery/apps/platform.yaml');
    const models = read(repo.dir, 'environments/prod/delivery/apps/models.yaml');
    expect(platform.spec).toMatchObject({ path: './environments/prod/platform', wait: true, prune: true, interval: '10m', timeout: '30m', retryInterval: '2m', deletionPolicy: 'Orphan' });
    expect(models.spec).toMatchObject({ path: './environments/prod', wait: true, prune: true, interval: '10m', timeout: '30m', retryInterval: '2m', deletionPolicy: 'Delete' });
    expect(models.spec.dependsOn).toEqual([{ name: 'prod-platform' }]);
    expect(models.spec.healthCheckExprs.map((h: Obj) => `${h.apiVersion}/${h.kind}`)).toEqual(['serving.kserve.io/v1alpha2/LLMInferenceService']);
    // The delivered models are exactly what the health expressions judge.
    const built = docs(await kustomize(join(repo.dir, 'environments/prod')));
    expect(new Set(built.filter((o) => o.kind === 'LLMInferenceService').map((o) => o.apiVersion))).toEqual(new Set(['serving.kserve.io/v1alpha2']));
    // Flux needs no Argo CD sync options on the models.
    for (const o of built.filter((x) => x.kind === 'LLMInferenceService')) expect(o.metadata.annotations?.['argocd.argoproj.io/sync-options']).toBeUndefined();
  });
});

let top0 = (): Obj => read(repo.dir, 'environments/dev/delivery/root.yaml');

const cond = (type: string, status: string, reason?: string) => ({ type, status, ...(reason ? { reason } : {}) });
function llmisvc(conditions: Obj[] | undefined, opts: { generation?: number; observed?: number; stop?: boolean } = {}): Obj {
  return {
    apiVersion: 'serving.kserve.io/v1alpha2',
    kind: 'LLMInferenceService',
    metadata: { name: 'qwen', generation: opts.generation ?? 1, ...(opts.stop ? { annotations: { 'serving.kserve.io/stop': 'true' } } : {}) },
    spec: {},
    ...(conditions ? { status: { observedGeneration: opts.observed ?? opts.generation ?? 1, conditions } } : {}),
  };
}

/** kustomize-controller's CEL evaluation (fluxcd/pkg runtime/cel StatusEvaluator); an evaluation error leaves the object not ready. */
function fluxStatus(check: Obj, obj: Obj): string {
  if (obj.status?.observedGeneration !== undefined && obj.status.observedGeneration !== obj.metadata.generation) return 'InProgress';
  for (const [expr, status] of [[check.inProgress, 'InProgress'], [check.failed, 'Failed'], [check.current, 'Current']] as const) {
    if (!expr) continue;
    let result: unknown;
    try {
      result = evaluate(expr, obj);
    } catch {
      return 'Unknown';
    }
    if (result === true) return status;
  }
  return 'InProgress';
}

describe('Flux health expressions for LLMInferenceService', () => {
  let check: Obj;
  beforeAll(() => {
    check = read(repo.dir, 'environments/dev/delivery/apps/models.yaml').spec.healthCheckExprs[0];
  });

  it('are Current when Ready is True for the observed generation, and for stopped models', () => {
    expect(fluxStatus(check, llmisvc([cond('PresetsCombined', 'True'), cond('Ready', 'True')]))).toBe('Current');
    expect(fluxStatus(check, llmisvc([cond('Ready', 'True')], { generation: 2, observed: 1 }))).toBe('InProgress');
    expect(fluxStatus(check, llmisvc([cond('Ready', 'False', 'Stopped')], { stop: true }))).toBe('Current');
    expect(fluxStatus(check, llmisvc(undefined, { stop: true }))).toBe('Current');
  });

  it('are Failed for a missing preset or a reconcile error, not for a model that is still starting', () => {
    expect(fluxStatus(check, llmisvc([cond('PresetsCombined', 'False', 'ConfigNotFound'), cond('Ready', 'Unknown', 'NewObservedGenFailure')]))).toBe('Failed');
    expect(fluxStatus(check, llmisvc([cond('MainWorkloadReady', 'False', 'ReconcileSingleNodeWorkloadError'), cond('Ready', 'False', 'ReconcileSingleNodeWorkloadError')]))).toBe('Failed');
    expect(fluxStatus(check, llmisvc([cond('Ready', 'False')]))).toBe('Failed');
    expect(fluxStatus(check, llmisvc([cond('MainWorkloadReady', 'False', 'MinimumReplicasUnavailable'), cond('Ready', 'False', 'MinimumReplicasUnavailable')]))).toBe('InProgress');
    expect(fluxStatus(check, llmisvc([cond('Ready', 'Unknown', 'NewObservedGenFailure')]))).toBe('InProgress');
    expect(fluxStatus(check, llmisvc([cond('Ready', 'False', 'Stopped')]))).toBe('InProgress');
  });

  it('never call an object without status ready', () => {
    expect(['InProgress', 'Unknown']).toContain(fluxStatus(check, llmisvc(undefined)));
    expect(fluxStatus(check, llmisvc([]))).toBe('InProgress');
  });
});

const catalog = (delivery: string, platform = 'mode: standalone') => `namespace: team-a
platform: {${platform}}
delivery: {${delivery}}
models:
  tiny: {uri: hf://facebook/opt-125m, accelerator: cpu}
`;

describe('Flux delivery settings per environment', () => {
  it('maps revisions to refs, honours namespace, intervals and prune, and drops the platform unit for mode none', async () => {
    const sha = '0123456789abcdef0123456789abcdef01234567';
    const r = repoWith({
      pinned: catalog(`engine: flux, repoURL: https://example.org/ml.git, revision: ${sha}, namespace: gitops, interval: 5m, timeout: 1h, prune: false`),
      tagged: catalog('engine: flux, repoURL: ssh://git@example.org/ml.git, revision: refs/tags/v1.2.0', 'mode: none'),
    });
    try {
      const g = await cli(['generate'], r.dir);
      expect(g.code, g.stderr).toBe(0);
      const pinned = [...docs(await kustomize(join(r.dir, 'environments/pinned/delivery'))), ...docs(await kustomize(join(r.dir, 'environments/pinned/delivery/apps')))];
      expectValidFlux(pinned);
      expect(pinned[0]!.spec.ref).toEqual({ commit: sha });
      for (const o of pinned) expect(o.metadata.namespace).toBe('gitops');
      for (const k of pinned.slice(1)) expect(k.spec).toMatchObject({ interval: '5m', timeout: '1h', prune: false });

      const tagged = [...docs(await kustomize(join(r.dir, 'environments/tagged/delivery'))), ...docs(await kustomize(join(r.dir, 'environments/tagged/delivery/apps')))];
      expectValidFlux(tagged);
      expect(tagged[0]!.spec.ref).toEqual({ name: 'refs/tags/v1.2.0' });
      expect(tagged.map((o) => o.metadata.name)).toEqual(['tagged-delivery', 'tagged-delivery', 'tagged-models']);
      expect(tagged[2]!.spec.dependsOn).toBeUndefined();
      expect(readFileSync(join(r.dir, 'environments/tagged/delivery/README.md'), 'utf8')).toContain('flux get kustomizations -n flux-system tagged-models');
    } finally {
      r.cleanup();
    }
  });
});
