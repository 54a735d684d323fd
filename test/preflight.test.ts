/**
 * `llm-gitops preflight` (issue 13 §1): the built CLI against the fake API server loaded with the
 * real platform CRDs from ../shared, Gateway objects, cert-manager's webhook Deployment, Secrets,
 * storage classes and GPU nodes. One scenario per situation the issue names; requests O(kinds).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogNeeds } from '../generator/src/preflight/needs.js';
import { loadRepository } from '../generator/src/catalog/repository.js';
import { FakeApiServer, type Obj } from './helpers/fake-apiserver.js';
import { allTypes, crdObject, PLATFORM_CRD } from './helpers/fake-apiserver-types.js';
import { cli, repoWith } from './helpers/repo.js';

const H100 = 'NVIDIA-H100-80GB-HBM3';
const HF_TOKEN_VALUE = 'aGZfc2VjcmV0X3Rva2VuX3ZhbHVl';

interface CatalogOpts {
  readonly replicas?: number;
  readonly product?: string;
  readonly tolerate?: boolean;
  readonly models?: number;
}

function catalog(o: CatalogOpts = {}): string {
  const extra = Array.from({ length: o.models ?? 0 }, (_, i) => `  extra-${i}: { uri: hf://org/extra-${i}, profile: h100:1, router: direct, replicas: 0 }`);
  return [
    'namespace: llm-prod',
    'platform: { mode: standalone }',
    'profiles:',
    '  h100:',
    `    nodeSelector: { nvidia.com/gpu.product: ${o.product ?? H100} }`,
    ...(o.tolerate === false ? [] : ['    tolerations: [{ key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }]']),
    'defaults: { hfTokenSecret: hf-token }',
    'models:',
    `  chat: { uri: hf://Qwen/Qwen2.5-7B-Instruct, profile: h100:1, replicas: ${o.replicas ?? 3} }`,
    '  big:',
    '    uri: pvc://model-store/qwen2.5-72b',
    '    download: { from: hf://Qwen/Qwen2.5-72B-Instruct, size: 200Gi, storageClass: fast }',
    '    profile: h100:4',
    '    router: direct',
    ...extra,
    '',
  ].join('\n');
}

function node(name: string, labels: Record<string, string>, gpus: number, tainted = true): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: tainted ? { taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] } : {},
    status: { allocatable: { cpu: '96', memory: '1Ti', ...(gpus ? { 'nvidia.com/gpu': String(gpus) } : {}) } },
  };
}

/** A cluster that has everything the catalog above needs. */
function seedReady(fake: FakeApiServer): void {
  for (const path of Object.values(PLATFORM_CRD)) fake.put(crdObject(path) as Obj);
  fake.put({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'envoy' }, spec: { controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' }, status: { conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted' }] } });
  fake.put({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'kserve-ingress-gateway', namespace: 'kserve' }, spec: { gatewayClassName: 'envoy', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] }, status: { conditions: [{ type: 'Accepted', status: 'True' }, { type: 'Programmed', status: 'True', reason: 'Programmed' }] } });
  fake.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'cert-manager-webhook', namespace: 'cert-manager' }, spec: { replicas: 1 }, status: { availableReplicas: 1, conditions: [{ type: 'Available', status: 'True' }] } });
  fake.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hf-token', namespace: 'llm-prod' }, data: { HF_TOKEN: HF_TOKEN_VALUE }, type: 'Opaque' });
  fake.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'csi.example.com' });
  fake.put(node('gpu-1', { 'nvidia.com/gpu.product': H100 }, 8));
  fake.put(node('gpu-2', { 'nvidia.com/gpu.product': H100 }, 8));
  fake.put(node('cpu-1', {}, 0, false));
}

async function run(o: { catalog?: CatalogOpts; change?: (f: FakeApiServer) => void; output?: string }) {
  const repo = repoWith({ prod: catalog(o.catalog) });
  const fake = await FakeApiServer.start({ types: allTypes() });
  try {
    seedReady(fake);
    o.change?.(fake);
    const r = await cli(['preflight', '--kubeconfig', fake.writeKubeconfig(join(repo.dir, 'kubeconfig')), '--output', o.output ?? 'json', '--timeout', '30s'], repo.dir, { NO_COLOR: '1' });
    const records = o.output && o.output !== 'json' ? [] : r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
    const checks = records.filter((x) => x.type === 'check');
    const failed = checks.filter((x) => x.result === 'fail').map((x) => `${x.check} ${x.subject}: ${x.message}`);
    return { ...r, checks, failed, summary: records.find((x) => x.type === 'summary') ?? {}, fake };
  } finally {
    await fake.close();
    repo.cleanup();
  }
}

describe('catalogNeeds', () => {
  it('is a pure function of the environments: CRDs by router, secrets, storage, GPU demand per profile', () => {
    const loaded = loadRepository([{ env: 'prod', file: 'environments/prod/catalog.yaml', text: catalog({ replicas: 20 }) }] as never);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const needs = catalogNeeds(loaded.value.environments);
    expect(needs.crds.map((c) => c.name)).toEqual([
      'certificates.cert-manager.io',
      'gatewayclasses.gateway.networking.k8s.io',
      'gateways.gateway.networking.k8s.io',
      'httproutes.gateway.networking.k8s.io',
      'inferencepools.inference.networking.k8s.io',
      'issuers.cert-manager.io',
    ]);
    expect(needs.secrets).toEqual([{ namespace: 'llm-prod', name: 'hf-token', why: 'prod/big' }]);
    expect(needs.gpus).toMatchObject([{ resource: 'nvidia.com/gpu', perPod: 4, total: 24, models: ['big', 'chat'] }]);
    const external = catalogNeeds(loaded.value.environments, [{ crds: ['externalsecrets.external-secrets.io'], why: 'prerequisite external-secrets (external)' }]);
    expect(external.crds.map((c) => c.name)).toContain('externalsecrets.external-secrets.io');
  });
});

describe.concurrent('preflight', () => {
  it('all present: exit 0, every check passes, one list per kind (secrets metadata-only), not per model', async () => {
    const r = await run({});
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.failed).toEqual([]);
    expect(r.checks.map((c) => c.check).sort()).toEqual(['cert-manager', 'crd', 'crd', 'crd', 'crd', 'crd', 'crd', 'gateway', 'gateway-class', 'gpu', 'secret', 'storage-class']);
    expect(r.checks.find((c) => c.check === 'gpu').message).toBe(`prod needs 7 × nvidia.com/gpu on nvidia.com/gpu.product=${H100} nodes; 16 allocatable on 2 node(s)`);
    // 6 CRDs + GatewayClass + Gateway(kserve) + Deployment(cert-manager) + Secret(llm-prod) + StorageClass + Node.
    expect(r.summary.requests).toBe(12);
    expect(r.fake.dataRequests).toHaveLength(12);
    const secrets = r.fake.requests.filter((q) => q.path === '/api/v1/namespaces/llm-prod/secrets');
    expect(secrets).toHaveLength(1);
    expect(secrets[0]!.accept).toContain('as=PartialObjectMetadataList');
    expect(r.stdout).not.toContain(HF_TOKEN_VALUE);
    // Ten more models: the same requests.
    const more = await run({ catalog: { models: 10 } });
    expect(more.code).toBe(0);
    expect(more.summary.requests).toBe(12);
  });

  it('a missing CRD and one not Established: exit 1, each named with what needs it', async () => {
    const r = await run({
      change: (f) => {
        f.remove('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'inferencepools.inference.networking.k8s.io');
        f.update('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'httproutes.gateway.networking.k8s.io', (o) => void ((o.status as any).conditions[1].status = 'False'));
      },
    });
    expect(r.code).toBe(1);
    expect(r.failed).toEqual([
      'crd httproutes.gateway.networking.k8s.io: present but not Established — needed by prod/big: router direct',
      'crd inferencepools.inference.networking.k8s.io: not installed — needed by prod/chat: router scheduler (the llm-d scheduler\'s pool)',
    ]);
  });

  it('no GPU node matches a profile; a taint the profile does not tolerate', async () => {
    const r = await run({ catalog: { product: 'NVIDIA-A100-SXM4-80GB' } });
    expect(r.code).toBe(1);
    expect(r.failed).toEqual(['gpu prod: nvidia.com/gpu: prod: no schedulable node matches nvidia.com/gpu.product=NVIDIA-A100-SXM4-80GB nodes (models big, chat): 2 node(s) have nvidia.com/gpu (gpu-1, gpu-2) — check the profile\'s nodeSelector or the node labels']);
    const t = await run({ catalog: { tolerate: false } });
    expect(t.failed).toEqual([`gpu prod: nvidia.com/gpu: prod: no schedulable node matches nvidia.com/gpu.product=${H100} nodes (models big, chat): gpu-1 matches but has the taint nvidia.com/gpu=present:NoSchedule the profile does not tolerate — add a toleration to the profile`]);
  });

  it('enough nodes, not enough allocatable GPUs in total', async () => {
    const r = await run({ catalog: { replicas: 20 } });
    expect(r.code).toBe(1);
    expect(r.failed).toEqual([`gpu prod: nvidia.com/gpu: prod needs 24 × nvidia.com/gpu on nvidia.com/gpu.product=${H100} nodes; 16 allocatable (2 node(s); models big, chat)`]);
  });

  it('a missing Secret, a missing storage class, a Gateway not Programmed', async () => {
    const r = await run({
      change: (f) => {
        f.remove('v1', 'Secret', 'llm-prod', 'hf-token');
        f.remove('storage.k8s.io/v1', 'StorageClass', undefined, 'fast');
        f.update('gateway.networking.k8s.io/v1', 'Gateway', 'kserve', 'kserve-ingress-gateway', (o) => void ((o.status as any).conditions[1] = { type: 'Programmed', status: 'False', reason: 'AddressNotAssigned', message: 'no address' }));
      },
    });
    expect(r.code).toBe(1);
    expect(r.failed).toEqual([
      'gateway kserve/kserve-ingress-gateway: not Programmed (AddressNotAssigned: no address) — check the gateway controller',
      'secret llm-prod/hf-token: missing — create it (kubectl -n llm-prod create secret generic hf-token --from-literal=HF_TOKEN=…); needed by prod/big',
      'storage-class fast: no StorageClass fast — needed by prod/big: download',
    ]);
  });

  it('forbidden: exit 3 naming the verb, resource and namespace; table and junit say it too', async () => {
    const forbid = (f: FakeApiServer) => f.fault('/api/v1/namespaces/llm-prod/secrets', { status: 403, message: 'secrets is forbidden: User "ci" cannot list resource "secrets" in the namespace "llm-prod"' });
    const r = await run({ change: forbid });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('forbidden: list secrets in namespace llm-prod — secrets is forbidden: User "ci" cannot list resource "secrets"');
    expect(r.summary).toMatchObject({ result: 'unchecked', exitCode: 3 });
    const table = await run({ change: forbid, output: 'table' });
    expect(table.stdout).toMatch(/could not check:\n {2}forbidden: list secrets in namespace llm-prod/);
    const junit = await run({ change: forbid, output: 'junit' });
    expect(junit.stdout).toMatch(/<error type="forbidden" message="forbidden: list secrets in namespace llm-prod/);
  });
});
