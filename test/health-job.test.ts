/**
 * The scheduled check `generate` writes: a CronJob with its own ServiceAccount and read-only RBAC
 * on exactly the kinds `health` reads, built by real kustomize with the models, valid against the
 * built-in schemas — and its plan ConfigMap is what the command runs on, without catalogs.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeApiServer } from './helpers/fake-apiserver.js';
import { catalogText, seedHealthy, type SeedEnv } from './helpers/health-fixtures.js';
import { cli, kustomize, repoWith, tempDir } from './helpers/repo.js';

const FLUX: SeedEnv = { env: 'edge', namespace: 'llm-edge', engine: 'flux', platform: false, models: ['small', 'tiny'] };
const NONE: SeedEnv = { env: 'lab', namespace: 'llm-lab', engine: 'none', platform: false, models: ['toy'] };
const HEALTH = 'health: { image: ghcr.io/example-org/llm-gitops:0.1.0, schedule: "*/5 * * * *", timeout: 4m, output: junit }\n';

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

type K8s = { kind: string; metadata: { name: string; namespace?: string }; [k: string]: any };

async function generated() {
  const repo = repoWith({ edge: catalogText(FLUX, { stopped: ['tiny'] }) + HEALTH, lab: catalogText(NONE) + HEALTH, plain: catalogText({ ...NONE, env: 'plain', namespace: 'llm-plain' }) });
  cleanup.push(repo.cleanup);
  const g = await cli(['generate'], repo.dir);
  expect(g.code, g.stderr).toBe(0);
  return repo.dir;
}

describe('the health CronJob and its RBAC', () => {
  it('kustomize builds it into the models unit: own ServiceAccount, read-only RBAC on exactly the kinds read, Forbid, deadlines, history', async () => {
    const dir = await generated();
    expect(readFileSync(join(dir, 'environments/edge/kustomization.yaml'), 'utf8')).toMatch(/^- health$/m);
    const objects = parseAllDocuments(await kustomize(join(dir, 'environments/edge'))).map((d) => d.toJS() as K8s);
    const byKind = (kind: string) => objects.filter((o) => o.kind === kind);

    expect(byKind('ServiceAccount').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toContain('llm-edge/llm-gitops-health');
    const [role] = byKind('ClusterRole');
    expect(role!.metadata.name).toBe('llm-gitops-health-edge');
    expect(role!.rules).toEqual([
      { apiGroups: ['serving.kserve.io'], resources: ['llminferenceservices'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['kustomize.toolkit.fluxcd.io'], resources: ['kustomizations'], verbs: ['get', 'list', 'watch'] },
      // The diagnosis (why a model is not Healthy): exactly the kinds it reads.
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] },
      { apiGroups: ['leaderworkerset.x-k8s.io'], resources: ['leaderworkersets'], verbs: ['get', 'list'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list'] },
      { apiGroups: ['inference.networking.k8s.io'], resources: ['inferencepools'], verbs: ['get', 'list'] },
      { apiGroups: ['gateway.networking.k8s.io'], resources: ['gateways', 'httproutes'], verbs: ['get', 'list'] },
    ]);
    expect(JSON.stringify(objects)).not.toMatch(/"secrets"|"create"|"patch"|"update"|"delete"|"\*"/);
    const [binding] = byKind('ClusterRoleBinding');
    expect(binding).toMatchObject({ roleRef: { kind: 'ClusterRole', name: 'llm-gitops-health-edge' }, subjects: [{ kind: 'ServiceAccount', name: 'llm-gitops-health', namespace: 'llm-edge' }] });

    const [job] = byKind('CronJob');
    expect(job!.metadata).toMatchObject({ name: 'llm-gitops-health', namespace: 'llm-edge' });
    expect(job!.spec).toMatchObject({ schedule: '*/5 * * * *', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 300, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3 });
    expect(job!.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 4 * 60 + 60 });
    const pod = job!.spec.jobTemplate.spec.template.spec;
    expect(pod).toMatchObject({ serviceAccountName: 'llm-gitops-health', restartPolicy: 'Never', securityContext: { runAsNonRoot: true } });
    expect(pod.containers[0]).toMatchObject({
      image: 'ghcr.io/example-org/llm-gitops:0.1.0',
      args: ['health', '--plan', '/etc/llm-gitops/plan.json', '--timeout', '4m', '--output', 'junit'],
      securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
      volumeMounts: [{ name: 'plan', mountPath: '/etc/llm-gitops', readOnly: true }],
    });
    expect(pod.volumes).toEqual([{ name: 'plan', configMap: { name: 'llm-gitops-health-plan' } }]);

    const [plan] = byKind('ConfigMap').filter((c) => c.metadata.name === 'llm-gitops-health-plan');
    expect(JSON.parse(plan!.data['plan.json'])).toEqual({
      version: 1,
      environments: [
        {
          env: 'edge', namespace: 'llm-edge', engine: 'flux', deliveryNamespace: 'flux-system', delivery: ['edge-delivery', 'edge-models'], intervalMs: 600_000,
          models: [{ name: 'small', stopped: false }, { name: 'tiny', stopped: true }],
        },
      ],
    });
  });

  it('engine none reads only LLMInferenceServices; a catalog without health gets no job', async () => {
    const dir = await generated();
    const role = parse(readFileSync(join(dir, 'environments/lab/health/clusterrole.yaml'), 'utf8')) as K8s;
    expect(role.rules).toEqual([
      { apiGroups: ['serving.kserve.io'], resources: ['llminferenceservices'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] },
      { apiGroups: ['leaderworkerset.x-k8s.io'], resources: ['leaderworkersets'], verbs: ['get', 'list'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list'] },
      { apiGroups: ['inference.networking.k8s.io'], resources: ['inferencepools'], verbs: ['get', 'list'] },
      { apiGroups: ['gateway.networking.k8s.io'], resources: ['gateways', 'httproutes'], verbs: ['get', 'list'] },
    ]);
    expect(() => readFileSync(join(dir, 'environments/plain/health/cronjob.yaml'))).toThrow();
    expect(readFileSync(join(dir, 'environments/plain/kustomization.yaml'), 'utf8')).not.toContain('health');
  });

  it('every health object passes validate (built-in schemas, strict)', async () => {
    const dir = await generated();
    const r = await cli(['validate', '--output', 'json', '--env', 'lab'], dir);
    const report = JSON.parse(r.stdout) as { resources: { filename: string; status: string; kind: string }[] };
    const health = report.resources.filter((x) => x.filename.includes('/health/') && x.kind !== 'Kustomization');
    expect(health.map((x) => `${x.kind}:${x.status}`).sort()).toEqual(['ClusterRole:statusValid', 'ClusterRoleBinding:statusValid', 'ConfigMap:statusValid', 'CronJob:statusValid', 'ServiceAccount:statusValid']);
  });

  it('the job\'s plan ConfigMap drives `health --plan` with no catalog in sight (the stopped model Suspended)', async () => {
    const dir = await generated();
    const plan = parse(readFileSync(join(dir, 'environments/edge/health/plan.yaml'), 'utf8')) as K8s;
    const empty = tempDir();
    cleanup.push(empty.cleanup);
    mkdirSync(join(empty.dir, 'etc'));
    const planFile = join(empty.dir, 'etc', 'plan.json');
    writeFileSync(planFile, plan.data['plan.json']);

    const fake = await FakeApiServer.start();
    try {
      seedHealthy(fake, [{ ...FLUX, models: ['small'] }]);
      const { llmisvc } = await import('./helpers/health-fixtures.js');
      fake.put(llmisvc('llm-edge', 'tiny', 'stopped'));
      const r = await cli(['health', '--plan', planFile, '--once', '--output', 'json', '--kubeconfig', fake.writeKubeconfig(join(empty.dir, 'kubeconfig'))], empty.dir);
      expect(r.code, r.stderr).toBe(0);
      const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(records.filter((x) => x.type === 'object').map((x) => `${x.name}:${x.status}`)).toEqual(['edge-delivery:Healthy', 'edge-models:Healthy', 'small:Healthy', 'tiny:Suspended']);
      // The generated ConfigMap file itself is a plan too (what `--help` calls the job's ConfigMap).
      const viaConfigMap = await cli(['health', '--plan', join(dir, 'environments/edge/health/plan.yaml'), '--once', '--output', 'json', '--kubeconfig', join(empty.dir, 'kubeconfig')], empty.dir);
      expect(viaConfigMap.code, viaConfigMap.stderr).toBe(0);
      expect(viaConfigMap.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((x) => x.type === 'object').map((x) => `${x.name}:${x.status}`)).toEqual(['edge-delivery:Healthy', 'edge-models:Healthy', 'small:Healthy', 'tiny:Suspended']);
    } finally {
      await fake.close();
    }
    writeFileSync(planFile, '{"version": 2}');
    const bad = await cli(['health', '--plan', planFile, '--once'], empty.dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('not a health plan');
    writeFileSync(planFile, 'apiVersion: v1\nkind: Secret\ndata: {}\n');
    const other = await cli(['health', '--plan', planFile, '--once'], empty.dir);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('expected the plan JSON or the health job\'s ConfigMap');
  });
});
