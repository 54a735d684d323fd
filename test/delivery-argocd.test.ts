/**
 * Argo CD delivery: what `generate` writes under environments/<env>/delivery for the example
 * catalogs (vendored, so everything builds offline) and for catalog variants. Every kustomization
 * is built with the real kustomize; every Application is checked against the real v3.5.1 CRD.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crdValidator } from './helpers/crd-ajv.js';
import { cli, exampleCatalogs, KSERVE_SRC, kustomizationDirs, kustomize, repoWith, snapshot, UPSTREAM, vendoredRepo } from './helpers/repo.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const APPLICATION_CRD = join(UPSTREAM, 'argo-cd', 'v3.5.1', 'manifests', 'crds', 'application-crd.yaml');
const docs = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJSON() as Obj).filter(Boolean);
const read = (dir: string, path: string): Obj => parse(readFileSync(join(dir, path), 'utf8')) as Obj;
const syncOptions = (o: Obj): string => String(o.metadata?.annotations?.['argocd.argoproj.io/sync-options'] ?? '');

function expectValidApplications(objs: Obj[]): void {
  const v = crdValidator(APPLICATION_CRD);
  for (const o of objs) expect(v.validate(o), `${o.kind}/${o.metadata?.name}`).toEqual([]);
}

let repo: { dir: string; cleanup: () => void };
beforeAll(async () => {
  repo = await vendoredRepo(exampleCatalogs());
});
afterAll(() => repo?.cleanup());

describe('Argo CD delivery of the example environments', () => {
  it('builds with kustomize: the root alone at delivery/, the two units at delivery/apps, all valid Applications', async () => {
    const dirs = kustomizationDirs(repo.dir).filter((d) => d.includes('/delivery'));
    expect(dirs).toEqual(['dev', 'prod'].flatMap((e) => ['', '/apps', '/argocd-health'].map((s) => `environments/${e}/delivery${s}`)));
    const built = await Promise.all(dirs.map((d) => kustomize(join(repo.dir, d)).then(docs)));
    // The six delivery Applications, plus one per prerequisite unit (test/prerequisites.test.ts).
    const own = built.flat().filter((o) => !o.metadata.labels?.['llm-gitops/prerequisite']);
    expect(own.map((o) => o.kind)).toEqual(Array(6).fill('Application'));
    expect(new Set(built.flat().map((o) => o.kind))).toEqual(new Set(['Application']));
    for (const env of ['dev', 'prod']) {
      const root = docs(await kustomize(join(repo.dir, 'environments', env, 'delivery')));
      expect(root.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([`Application/${env}-delivery`]);
      const units = docs(await kustomize(join(repo.dir, 'environments', env, 'delivery', 'apps')));
      expect(units.filter((o) => !o.metadata.labels?.['llm-gitops/prerequisite']).map((o) => o.metadata.name).sort()).toEqual([`${env}-models`, `${env}-platform`]);
      expectValidApplications([...root, ...units]);
      expect(root[0]!.spec.source.path).toBe(`environments/${env}/delivery/apps`);
      expect(root[0]!.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'argocd' });
    }
    // The schema check is strict: an unknown field or a wrongly typed one fails.
    const root = read(repo.dir, 'environments/dev/delivery/root.yaml');
    const v = crdValidator(APPLICATION_CRD);
    expect(v.validate({ ...root, spec: { ...root.spec, syncPolicy: { automated: { prune: true, selfheal: true } } } })).toEqual(['/spec/syncPolicy/automated must NOT have additional properties (selfheal)']);
    expect(v.validate({ ...root, spec: { ...root.spec, syncPolicy: { retry: { limit: '10' } } } })).toEqual(['/spec/syncPolicy/retry/limit must be integer']);
  });

  it('points the units at folders that build, with the sync options real installs need on the right objects', async () => {
    const apps = Object.fromEntries(['platform', 'models'].map((u) => [u, read(repo.dir, `environments/prod/delivery/apps/${u}.yaml`)]));
    const [platform, models] = await Promise.all([apps.platform!, apps.models!].map((a) => kustomize(join(repo.dir, a.spec.source.path)).then(docs)));
    // CRDs too big for client-side apply carry server-side apply themselves (app-level SSA would break waves).
    const big = platform!.filter((o) => JSON.stringify(o).length > 262_144);
    expect(big.map((o) => o.kind)).toEqual(['CustomResourceDefinition', 'CustomResourceDefinition']);
    for (const o of big) expect(syncOptions(o)).toContain('ServerSideApply=true');
    expect(apps.platform!.spec.syncPolicy.syncOptions).not.toContain('ServerSideApply=true');
    // The well-known configs follow the controller (wave 1) and tolerate missing CRDs on a first sync.
    for (const o of platform!.filter((x) => x.kind === 'LLMInferenceServiceConfig')) {
      expect(o.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
      expect(syncOptions(o)).toContain('SkipDryRunOnMissingResource=true');
    }
    // Models tolerate the CRD not existing yet; the namespace is an object of the unit, not CreateNamespace.
    const services = models!.filter((o) => o.kind === 'LLMInferenceService');
    expect(services.length).toBe(3);
    for (const o of services) expect(syncOptions(o)).toContain('SkipDryRunOnMissingResource=true');
    expect(models!.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual([apps.models!.spec.destination.namespace]);
    expect(apps.models!.spec.syncPolicy.syncOptions ?? []).not.toContain('CreateNamespace=true');
  });

  it('orders platform before models, retries with backoff, cascades deletion only where it is safe', () => {
    const root = read(repo.dir, 'environments/prod/delivery/root.yaml');
    const platform = read(repo.dir, 'environments/prod/delivery/apps/platform.yaml');
    const models = read(repo.dir, 'environments/prod/delivery/apps/models.yaml');
    const wave = (o: Obj) => Number(o.metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(wave(platform)).toBeLessThan(wave(models));
    for (const a of [root, platform, models]) {
      expect(a.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
      expect(a.spec.syncPolicy.retry).toEqual({ limit: 10, backoff: { duration: '15s', factor: 2, maxDuration: '5m' } });
      expect(a.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'llm-gitops', 'llm-gitops/environment': 'prod' });
      expect(a.spec.source.repoURL).toBe('https://github.com/example-org/llm-gitops.git');
    }
    expect(root.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    expect(models.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    expect(platform.metadata.finalizers).toBeUndefined();
    expect(platform.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'kserve' });
    expect(models.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'llm-prod' });
    expect(platform.spec.syncPolicy.syncOptions).toEqual(['FailOnSharedResource=true', 'PruneLast=true', 'RespectIgnoreDifferences=true']);
    expect(models.spec.syncPolicy.syncOptions).toEqual(['FailOnSharedResource=true']);
    expect(platform.spec.ignoreDifferences.map((d: Obj) => d.kind)).toEqual(['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'CustomResourceDefinition']);
  });

  it('ships the health checks as an argocd-cm patch and a Component that real kustomize merges into an install', async () => {
    const patch = read(repo.dir, 'environments/prod/delivery/argocd-health/argocd-cm.patch.yaml');
    expect(patch.metadata).toEqual({ name: 'argocd-cm', namespace: 'argocd' });
    expect(Object.keys(patch.data).sort()).toEqual([
      'resource.customizations.health.argoproj.io_Application',
      'resource.customizations.health.serving.kserve.io_LLMInferenceService',
    ]);
    // Not a resource of any kustomization: argocd-cm belongs to the Argo CD install.
    for (const k of ['environments/prod/delivery/kustomization.yaml', 'environments/prod/delivery/apps/kustomization.yaml']) {
      expect(readFileSync(join(repo.dir, k), 'utf8')).not.toContain('argocd-cm');
    }
    const install = join(repo.dir, 'argocd-install');
    mkdirSync(install);
    // An Argo CD install kustomization elsewhere in the repository, namespaced by kustomize.
    writeFileSync(join(install, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: argocd-cm, labels: {app.kubernetes.io/part-of: argocd}}\ndata: {url: https://argocd.example}\n');
    writeFileSync(join(install, 'kustomization.yaml'), 'namespace: argocd\nresources: [cm.yaml]\ncomponents: [../environments/prod/delivery/argocd-health]\n');
    const [cm, ...rest] = docs(await kustomize(install));
    expect(rest).toEqual([]);
    expect(cm!.metadata).toEqual({ name: 'argocd-cm', namespace: 'argocd', labels: { 'app.kubernetes.io/part-of': 'argocd' } });
    expect(Object.keys(cm!.data).sort()).toEqual([...Object.keys(patch.data), 'url'].sort());
    expect(cm!.data['resource.customizations.health.serving.kserve.io_LLMInferenceService']).toContain('PresetsCombined');
  });

  it('writes a README with the one bootstrap command and the environment\'s names', () => {
    const readme = readFileSync(join(repo.dir, 'environments/dev/delivery/README.md'), 'utf8');
    expect(readme.startsWith('<!-- Generated by llm-gitops')).toBe(true);
    expect(readme).toContain('kubectl apply -k environments/dev/delivery');
    expect(readme).toContain('kubectl -n argocd patch configmap argocd-cm --type merge --patch-file environments/dev/delivery/argocd-health/argocd-cm.patch.yaml');
    expect(readme).toContain('list `environments/dev/delivery/argocd-health` under its `components:`');
    expect(readme).toContain('| `dev-platform` | `environments/dev/platform` | first |');
    expect(readme).not.toMatch(/\n{3,}/);
  });
});

const catalog = (delivery: string, platform = 'mode: standalone') => `namespace: team-a
platform: {${platform}}
delivery: {${delivery}}
models:
  tiny: {uri: hf://facebook/opt-125m, accelerator: cpu}
`;

describe('Argo CD delivery settings per environment', () => {
  it('honours manual sync, self-heal off, another Argo CD namespace, project, cluster and revision', async () => {
    const r = repoWith({
      manual: catalog('engine: argocd, repoURL: git@example.org:ml/gitops.git, automated: false, namespace: gitops, project: ml, server: https://10.0.0.1:6443, revision: v1.2.0'),
      noheal: catalog('engine: argocd, repoURL: https://example.org/ml.git, selfHeal: false, prune: false'),
    });
    try {
      const g = await cli(['generate'], r.dir);
      expect(g.code, g.stderr).toBe(0);
      const manual = ['delivery/root.yaml', 'delivery/apps/platform.yaml', 'delivery/apps/models.yaml'].map((p) => read(r.dir, `environments/manual/${p}`));
      expectValidApplications(manual);
      for (const a of manual) {
        expect(a.spec.syncPolicy.automated).toBeUndefined();
        expect(a.spec.syncPolicy.retry.limit).toBe(10);
        expect(a.metadata.namespace).toBe('gitops');
        expect(a.spec.project).toBe('ml');
        expect(a.spec.source).toMatchObject({ repoURL: 'git@example.org:ml/gitops.git', targetRevision: 'v1.2.0' });
      }
      expect(manual[0]!.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'gitops' });
      expect(manual[1]!.spec.destination.server).toBe('https://10.0.0.1:6443');
      expect(read(r.dir, 'environments/manual/delivery/argocd-health/argocd-cm.patch.yaml').metadata.namespace).toBe('gitops');
      expect(readFileSync(join(r.dir, 'environments/manual/delivery/README.md'), 'utf8')).toContain('Sync: manual');
      const noheal = read(r.dir, 'environments/noheal/delivery/apps/models.yaml');
      expect(noheal.spec.syncPolicy.automated).toEqual({ prune: false, selfHeal: false });
    } finally {
      r.cleanup();
    }
  });

  it('delivers only the models when the platform is managed elsewhere, and nothing for engine none', async () => {
    const r = repoWith({ shared: catalog('engine: argocd, repoURL: https://example.org/ml.git', 'mode: none') });
    try {
      expect((await cli(['generate'], r.dir)).code).toBe(0);
      const apps = docs(await kustomize(join(r.dir, 'environments/shared/delivery/apps')));
      expect(apps.map((a) => a.metadata.name)).toEqual(['shared-models']);
      expectValidApplications(apps);
      expect(existsSync(join(r.dir, 'environments/shared/delivery/apps/platform.yaml'))).toBe(false);
      // Switching delivery off removes the generated delivery files again.
      writeFileSync(join(r.dir, 'environments/shared/catalog.yaml'), catalog('engine: none', 'mode: none'));
      expect((await cli(['generate'], r.dir)).code).toBe(0);
      expect([...snapshot(r.dir).keys()].filter((p) => p.includes('/delivery/'))).toEqual([]);
    } finally {
      r.cleanup();
    }
  });
});
