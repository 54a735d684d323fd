/**
 * The production short keys (issue 10), in process: what each renders into the
 * LLMInferenceService (checked against what KServe's well-known configs in ../shared read), and
 * bad input for each, located at file:line:col with the fix.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRepository } from '../generator/src/catalog/repository.js';
import { renderLLMInferenceService } from '../generator/src/render/llmisvc.js';
import type { Issue } from '../generator/src/errors.js';
import type { JsonObject } from '../generator/src/model/types.js';
import { KSERVE_SRC } from './helpers/repo.js';

const FILE = 'environments/t/catalog.yaml';
const HEAD = 'namespace: llm-t\nplatform: { mode: none }\n';

function load(text: string): { specs: Record<string, JsonObject>; objects: Record<string, JsonObject>; warnings: readonly Issue[] } {
  const r = loadRepository([{ env: 't', file: FILE, text }]);
  if (!r.ok) throw new Error(r.issues.map(fmt).join('\n'));
  const env = r.value.environments[0]!;
  const objects = Object.fromEntries(env.models.map((m) => [m.name, renderLLMInferenceService(env, m)]));
  const specs = Object.fromEntries(Object.entries(objects).map(([k, o]) => [k, o.spec as JsonObject]));
  return { specs, objects, warnings: r.warnings };
}

function fmt(i: Issue): string {
  return `${i.file}:${i.line ?? '?'}:${i.col ?? '?'}: ${i.field ? `${i.field}: ` : ''}${i.message}`;
}

/** The error lines of a bad catalog. */
function errors(text: string): string[] {
  const r = loadRepository([{ env: 't', file: FILE, text }]);
  expect(r.ok, 'the catalog should have been refused').toBe(false);
  return r.ok ? [] : r.issues.filter((i) => i.severity === 'error').map(fmt);
}

const main = (spec: JsonObject, pod = 'template') => ((spec[pod] as JsonObject).containers as JsonObject[]).find((c) => c.name === 'main')!;
const preset = (name: string) => readFileSync(join(KSERVE_SRC, 'config', 'llmisvcconfig', `${name.replace(/^kserve-/, '')}.yaml`), 'utf8');

describe('parallelism as KServe means it', () => {
  it('data parallelism renders spec.parallelism and a worker with the same main container; never a --data-parallel-size argument', () => {
    const { specs } = load(`${HEAD}models:
  deepseek:
    uri: hf://deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct
    parallelism: { data: 16, dataLocal: 8, expert: true, tensor: 1 }
    env: { VLLM_ALL2ALL_BACKEND: naive }
    probes: { startup: 80m }
`);
    const s = specs.deepseek!;
    expect(s.parallelism).toEqual({ data: 16, dataLocal: 8, expert: true, tensor: 1 });
    // 8 GPUs per pod = tensor × dataLocal, on the leader and on each worker.
    for (const pod of ['template', 'worker']) {
      expect((main(s, pod).resources as JsonObject).limits).toEqual({ 'nvidia.com/gpu': '8' });
      expect(main(s, pod).env).toEqual([{ name: 'VLLM_ALL2ALL_BACKEND', value: 'naive' }]);
    }
    // The startup budget on the leader: 80 minutes polled every 10 s; the worker preset has no probes.
    expect(main(s).startupProbe).toEqual({ periodSeconds: 10, failureThreshold: 480 });
    expect(main(s, 'worker').startupProbe).toBeUndefined();
    expect(JSON.stringify(s)).not.toContain('data-parallel');
    // KServe picks kserve-config-llm-worker-data-parallel for worker + data, and that preset
    // reads exactly these fields and has a worker pod with a `main` container to merge onto.
    const dp = preset('kserve-config-llm-worker-data-parallel');
    for (const field of ['.Spec.Parallelism.Data', '.Spec.Parallelism.DataLocal', '.Spec.Parallelism.Tensor', '.Spec.Parallelism.Expert']) expect(dp).toContain(field);
    expect(dp).toMatch(/^ {2}worker:\n {4}containers:\n(.*\n)*? {8}name: main$/m);
  });

  it('gpus (and tensorParallel) mean tensor parallelism on one pod', () => {
    const { specs } = load(`${HEAD}models:
  big:
    uri: hf://Qwen/Qwen2.5-72B-Instruct
    gpus: 8
  pd:
    uri: hf://Qwen/Qwen2.5-7B-Instruct
    router: prefill-decode
    gpus: 2
    prefill: { replicas: 2, parallelism: { data: 4, dataLocal: 2, tensor: 1 } }
`);
    expect(specs.big!.parallelism).toEqual({ tensor: 8 });
    expect(specs.big!.worker).toBeUndefined();
    expect(main(specs.big!).args).toBeUndefined();
    // The prefill workload's own data parallelism → its own worker (…-prefill-worker-data-parallel).
    const prefill = specs.pd!.prefill as JsonObject;
    expect(prefill.parallelism).toEqual({ data: 4, dataLocal: 2, tensor: 1 });
    expect((main(prefill, 'worker').resources as JsonObject).requests).toEqual({ 'nvidia.com/gpu': '2' });
    expect(specs.pd!.parallelism).toEqual({ tensor: 2 });
    expect(specs.pd!.worker).toBeUndefined();
    expect(preset('kserve-config-llm-prefill-worker-data-parallel')).toContain('.Spec.Prefill.Parallelism.Data');
  });

  it('refuses what KServe refuses, at the key, with the fix', () => {
    const bad = errors(`${HEAD}presets: {}
models:
  a:
    uri: hf://x/a
    parallelism: { data: 16 }
  b:
    uri: hf://x/b
    parallelism: { dataLocal: 8 }
  c:
    uri: hf://x/c
    parallelism: { data: 4, dataLocal: 2, pipeline: 2 }
  d:
    uri: hf://x/d
    parallelism: { pipeline: 2 }
  e:
    uri: hf://x/e
    parallelism: { expert: true }
  f:
    uri: hf://x/f
    gpus: 8
    tensorParallel: 2
  g:
    uri: hf://x/g
    parallelism: { data: 12, dataLocal: 8 }
  h:
    uri: hf://x/h
    gpus: 4
    parallelism: { tensor: 2, data: 8, dataLocal: 4 }
`);
    const want = [
      `${FILE}:7:26: models.a.parallelism.data: data: 16 needs dataLocal (the data-parallel ranks per pod; KServe refuses one without the other) — add dataLocal, e.g. dataLocal: 8`,
      `${FILE}:10:31: models.b.parallelism.dataLocal: dataLocal: 8 needs data`,
      `${FILE}:13:53: models.c.parallelism.pipeline: pipeline cannot be combined with data/dataLocal`,
      `${FILE}:16:30: models.d.parallelism.pipeline: pipeline: 2 needs an LLMInferenceServiceConfig named kserve-config-llm-worker-pipeline-parallel`,
      `${FILE}:19:28: models.e.parallelism.expert: expert parallelism takes effect only with data parallelism`,
      `${FILE}:23:21: models.f.tensorParallel: 8 GPUs per pod with tensor parallelism 2 leave 6 idle — KServe runs 4 copies in one pod only through data parallelism: write parallelism: {tensor: 2, data: 4, dataLocal: 4}`,
      `${FILE}:26:26: models.g.parallelism.data: data: 12 is not a multiple of dataLocal: 8 — each pod holds dataLocal ranks, so use data: 16`,
      `${FILE}:30:28: models.h.parallelism.tensor: 4 GPUs per pod, but tensor 2 × dataLocal 4 = 8 — make them agree`,
    ];
    for (const w of want) expect(bad.some((l) => l.startsWith(w)), `${w}\nin:\n${bad.join('\n')}`).toBe(true);
    expect(bad.length).toBe(want.length);
  });

  it('accepts pipeline parallelism once the catalog provides the preset KServe looks for', () => {
    const { specs } = load(`${HEAD}presets:
  kserve-config-llm-worker-pipeline-parallel: { spec: { worker: {} } }
models:
  pp:
    uri: hf://x/pp
    parallelism: { pipeline: 2, tensor: 4 }
`);
    expect(specs.pp!.parallelism).toEqual({ pipeline: 2, tensor: 4 });
    expect((main(specs.pp!, 'worker').resources as JsonObject).limits).toEqual({ 'nvidia.com/gpu': '4' });
  });
});

describe('production short keys', () => {
  it('render probes, extended resources, securityContext, per-workload env/args, command, sidecars, ServiceAccount', () => {
    const { specs } = load(`${HEAD}models:
  m:
    uri: hf://Qwen/Qwen2.5-7B-Instruct
    router: prefill-decode
    runAsRoot: true
    command: [/bin/serve]
    args: [--max-model-len, "8192"]
    env: { A: "1", ROLE: both }
    decode: { env: { ROLE: decode }, args: [--decode-only] }
    prefill: { env: { ROLE: prefill }, runAsRoot: false }
    resources: { cpu: "4", memory: 32Gi, rdma: 1, example.com/fpga: 2 }
    probes: { startup: { budget: 1h, period: 30s }, readiness: { period: 5s, failures: 3 }, liveness: { scheme: HTTP, delay: 2m } }
    serviceAccount: vllm
    sidecars: { before: [{ name: proxy, image: envoy:1 }], after: [{ name: logs, image: fluent:2 }] }
`);
    const s = specs.m!;
    const d = main(s);
    expect(d.command).toEqual(['/bin/serve']);
    expect(d.args).toEqual(['--max-model-len', '8192', '--decode-only']);
    expect(d.env).toEqual([{ name: 'A', value: '1' }, { name: 'ROLE', value: 'decode' }]);
    expect(d.securityContext).toEqual({ runAsNonRoot: false });
    expect(d.resources).toEqual({
      limits: { cpu: '4', memory: '32Gi', 'nvidia.com/gpu': '1', 'rdma/roce_gdr': 1, 'example.com/fpga': 2 },
      requests: { cpu: '4', memory: '32Gi', 'nvidia.com/gpu': '1', 'rdma/roce_gdr': 1, 'example.com/fpga': 2 },
    });
    expect(d.startupProbe).toEqual({ periodSeconds: 30, failureThreshold: 120 });
    expect(d.readinessProbe).toEqual({ periodSeconds: 5, failureThreshold: 3 });
    expect(d.livenessProbe).toEqual({ httpGet: { path: '/health', port: 8000, scheme: 'HTTP' }, initialDelaySeconds: 120 });
    expect(((s.template as JsonObject).containers as JsonObject[]).map((c) => c.name)).toEqual(['proxy', 'main', 'logs']);
    expect((s.template as JsonObject).serviceAccountName).toBe('vllm');
    const p = main(s.prefill as JsonObject);
    expect(p.env).toEqual([{ name: 'A', value: '1' }, { name: 'ROLE', value: 'prefill' }]);
    expect(p.args).toEqual(['--max-model-len', '8192']);
    expect(p.securityContext).toBeUndefined();
  });

  it('render the scheduler by name, a scheduler without a route, LoRA, KV-cache offloading and managed DRA', () => {
    const { specs, objects } = load(`${HEAD}models:
  a:
    uri: hf://Qwen/Qwen2.5-7B-Instruct
    scheduler: latency-predictor
    route: false
  b:
    uri: hf://Qwen/Qwen2.5-7B-Instruct
    scheduler: { config: precise-prefix-cache, blockSize: 64, replicas: 2 }
    lora: { adapters: { sql: hf://org/sql-lora, chat: pvc://adapters/chat }, maxRank: 64, maxAdapters: 4 }
    kvCacheOffload: { cpu: 20Gi, disk: 100Gi }
  c:
    uri: hf://Qwen/Qwen2.5-7B-Instruct
    dra: { deviceClass: gpu.nvidia.com, count: 2, selector: "device.attributes['gpu.nvidia.com']['type'] == 'A100'" }
  d:
    uri: hf://Qwen/Qwen2.5-7B-Instruct
    scheduler: { configMap: my-epp }
`);
    const a = specs.a!.router as JsonObject;
    expect(Object.keys(a)).toEqual(['scheduler']);
    const inline = ((a.scheduler as JsonObject).config as JsonObject).inline as JsonObject;
    // KServe adds its latency-predictor preset when the config names this plugin.
    expect(JSON.stringify(inline)).toContain('"predicted-latency-producer"');
    const b = specs.b!;
    const sched = (b.router as JsonObject).scheduler as JsonObject;
    expect(sched.replicas).toBe(2);
    expect(JSON.stringify(sched)).toContain('"tokenProcessorConfig":{"blockSize":64,"hashSeed":"42"}');
    expect((b.model as JsonObject).lora).toEqual({ adapters: [{ name: 'sql', uri: 'hf://org/sql-lora' }, { name: 'chat', uri: 'pvc://adapters/chat' }], maxRank: 64, maxAdapters: 4 });
    expect(b.kvCacheOffloading).toEqual({ cpu: '20Gi', secondary: [{ fileSystem: { emptyDir: { size: '100Gi' } } }] });
    expect((objects.c!.metadata as JsonObject).annotations).toEqual({
      'serving.kserve.io/exp-dra-device-class': 'gpu.nvidia.com',
      'serving.kserve.io/exp-dra-device-count': '2',
      'serving.kserve.io/exp-dra-cel-selector': "device.attributes['gpu.nvidia.com']['type'] == 'A100'",
    });
    expect(JSON.stringify(specs.c)).not.toContain('nvidia.com/gpu');
    expect(((specs.d!.router as JsonObject).scheduler as JsonObject).config).toEqual({ ref: { name: 'my-epp', key: 'epp' } });
    expect(preset('kserve-config-llm-scheduler-latency-predictor')).toContain('latency');
  });

  it('refuses bad short keys at file:line:col with the fix', () => {
    // Shapes (the schema) first: a run reports them before any cross-field rule.
    const shapes = errors(`${HEAD}models:
  d:
    uri: hf://x/d
    probes: { startup: 80 minutes }
  e:
    uri: hf://x/e
    lora: { adapters: { bad: oci://img } }
  g:
    uri: hf://x/g
    scheduler: fastest
`);
    const rules = errors(`${HEAD}models:
  a:
    uri: hf://x/a
    resources: { cpu: "2", requests: { cpu: "1" }, gpu: 1, nvidia.com/gpu: 2 }
  b:
    uri: hf://x/b
    router: direct
    scheduler: prefix-cache
  c:
    uri: hf://x/c
    router: none
    route: false
  f:
    uri: hf://x/f
    gpus: 2
    dra: { deviceClass: gpu.nvidia.com }
`);
    const want = [
      [shapes, `${FILE}:6:24: models.d.probes.startup: must be a duration such as 30s, 20m or 1h30m`],
      [shapes, `${FILE}:9:30: models.e.lora.adapters.bad: must be hf://org/adapter, s3://bucket/path or pvc://claim/path (KServe refuses oci:// adapters)`],
      [shapes, `${FILE}:12:16: models.g.scheduler: must be one of "default", "prefix-cache", "precise-prefix-cache", "load-aware", "latency-predictor"`],
      [rules, `${FILE}:6:18: models.a.resources.cpu: write either {cpu, memory} (requests = limits) or {requests, limits}, not both`],
      [rules, `${FILE}:6:52: models.a.resources.gpu: unknown key "gpu" — resources take cpu, memory, requests, limits, rdma, or an extended resource named domain/name`],
      [rules, `${FILE}:6:60: models.a.resources.nvidia.com/gpu: nvidia.com/gpu comes from gpus/profile — write gpus: 2 instead`],
      [rules, `${FILE}:10:16: models.b.scheduler: a scheduler configuration needs router: scheduler or prefill-decode (the router is direct)`],
      [rules, `${FILE}:14:12: models.c.route: route: false keeps the scheduler without a route, but the router is none`],
      [rules, `${FILE}:18:10: models.f.dra: with dra the devices come from a ResourceClaim, not a GPU limit`],
    ] as const;
    for (const [lines, w] of want) expect(lines.some((l) => l.startsWith(w)), `${w}\nin:\n${lines.join('\n')}`).toBe(true);
  });
});

describe('templates: named partial entries a model includes', () => {
  it('merges defaults < templates in order < the model, with the rules of spec:', () => {
    const { specs, objects } = load(`${HEAD}defaults:
  env: { FROM_DEFAULTS: "1" }
templates:
  roce:
    annotations: { k8s.v1.cni.cncf.io/networks: roce-p2 }
    env: { KSERVE_INFER_ROCE: "true", NCCL_DEBUG: WARN }
    resources: { cpu: "64", memory: 256Gi, rdma: 1 }
  wide-ep:
    parallelism: { data: 16, dataLocal: 8, expert: true }
    probes: { startup: 80m }
    spec:
      template:
        containers: [{ name: main, env: [{ name: VLLM_ALL2ALL_BACKEND, value: deepep_high_throughput }] }]
models:
  r1:
    uri: hf://deepseek-ai/DeepSeek-R1-0528
    templates: [roce, wide-ep]
    env: { NCCL_DEBUG: INFO }
  v3:
    uri: hf://deepseek-ai/DeepSeek-V3
    templates: [roce, wide-ep]
    parallelism: { data: 32 }
`);
    for (const [name, data] of [['r1', 16], ['v3', 32]] as const) {
      const s = specs[name]!;
      expect(s.parallelism).toEqual({ data, dataLocal: 8, expert: true });
      expect((objects[name]!.metadata as JsonObject).annotations).toEqual({ 'k8s.v1.cni.cncf.io/networks': 'roce-p2' });
      expect((main(s, 'worker').resources as JsonObject).limits).toEqual({ cpu: '64', memory: '256Gi', 'nvidia.com/gpu': '8', 'rdma/roce_gdr': 1 });
      expect(main(s).startupProbe).toEqual({ periodSeconds: 10, failureThreshold: 480 });
    }
    const env = (name: string) => (main(specs[name]!).env as JsonObject[]).map((e) => `${String(e.name)}=${String(e.value)}`);
    expect(env('r1')).toEqual(['FROM_DEFAULTS=1', 'KSERVE_INFER_ROCE=true', 'NCCL_DEBUG=INFO', 'VLLM_ALL2ALL_BACKEND=deepep_high_throughput']);
    expect(env('v3')).toEqual(['FROM_DEFAULTS=1', 'KSERVE_INFER_ROCE=true', 'NCCL_DEBUG=WARN', 'VLLM_ALL2ALL_BACKEND=deepep_high_throughput']);
  });

  it('refuses an unknown template and a template that names uri, at file:line:col', () => {
    expect(errors(`${HEAD}templates:\n  roce: { env: { A: "1" } }\nmodels:\n  m:\n    uri: hf://x/m\n    templates: [roce, rocee]\n`)).toEqual([
      `${FILE}:8:23: models.m.templates.1: unknown template "rocee" — use one of roce`,
    ]);
    expect(errors(`${HEAD}templates:\n  t: { uri: hf://x/y }\nmodels: {}\n`)[0]).toMatch(/^environments\/t\/catalog.yaml:4:8: templates.t.uri: unknown key "uri"/);
  });
  it('scheduler.env and scheduler.tokenizerEnv set the scheduler pod’s main and tokenizer containers (KServe’s preset names); bad names at file:line:col', () => {
    const { specs } = load(`${HEAD}models:
  a:
    uri: hf://x/a
    scheduler: { config: prefix-cache, env: { GOMAXPROCS: "4", POD: { fieldRef: { fieldPath: status.podIP } } }, tokenizerEnv: { LOG_LEVEL: DEBUG } }
  b:
    uri: hf://x/b
    scheduler: { tokenizerEnv: { LOG_LEVEL: INFO } }
`);
    const sched = (name: string) => (specs[name]!.router as JsonObject).scheduler as JsonObject;
    expect((sched('a').template as JsonObject).containers).toEqual([
      { name: 'main', env: [{ name: 'GOMAXPROCS', value: '4' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] },
      { name: 'tokenizer', env: [{ name: 'LOG_LEVEL', value: 'DEBUG' }] },
    ]);
    expect(Object.keys(sched('a').config as JsonObject)).toEqual(['inline']);
    expect(sched('b')).toEqual({ template: { containers: [{ name: 'tokenizer', env: [{ name: 'LOG_LEVEL', value: 'INFO' }] }] } });
    // Both names are containers of KServe's scheduler preset, so the merge lands on them.
    expect(preset('kserve-config-llm-scheduler')).toMatch(/- name: main[\s\S]*- name: tokenizer/);
    expect(errors(`${HEAD}models:\n  m:\n    uri: hf://x/m\n    scheduler: { tokenizerEnv: { 1BAD: x } }\n`)).toEqual([`${FILE}:6:34: models.m.scheduler.tokenizerEnv.1BAD: must be a valid environment variable name — letters, digits, "_", "." or "-", not starting with a digit (e.g. LOG_LEVEL)`]);
  });
});

describe('LoRA adapters on a PVC', () => {
  it('a pvc:// adapter with lora.download gets its claim and a download Job, as download: does for models', async () => {
    const { renderModels } = await import('../generator/src/render/environment.js');
    const r = loadRepository([{ env: 't', file: FILE, text: `${HEAD}models:
  m:
    uri: hf://facebook/opt-125m
    accelerator: cpu
    lora:
      adapters: { chat: pvc://adapters/opt-125m/chat, sql: hf://org/sql }
      download: { chat: { from: hf://org/chat-lora, size: 1Gi } }
` }]);
    if (!r.ok) throw new Error(r.issues.map(fmt).join('\n'));
    const files = new Map(renderModels(r.value.environments[0]!).map((f) => [f.path, f.content]));
    const claim = parse(files.get('environments/t/claims/adapters.yaml')!);
    expect(claim.kind).toBe('PersistentVolumeClaim');
    expect(claim.spec.resources.requests.storage).toBe('1Gi');
    const job = parse(files.get('environments/t/models/m.lora-0.download.yaml')!);
    expect(job.kind).toBe('Job');
    expect(job.spec.template.spec.containers[0].args).toEqual(['hf://org/chat-lora', '/mnt/models/opt-125m/chat']);
    expect(job.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe('adapters');
    const kustomization = parse(files.get('environments/t/kustomization.yaml')!);
    expect(kustomization.resources).toEqual(expect.arrayContaining(['claims/adapters.yaml', 'models/m.lora-0.download.yaml']));
  });

  it('refuses a download for an adapter that is not on a PVC', () => {
    expect(errors(`${HEAD}models:\n  m:\n    uri: hf://x/m\n    lora: { adapters: { sql: hf://org/sql }, download: { sql: { from: hf://org/sql, size: 1Gi } } }\n`)).toEqual([
      `${FILE}:6:58: models.m.lora.download.sql: lora.download fills a PersistentVolumeClaim for a pvc:// adapter, but adapter sql is hf://org/sql — add sql: pvc://<claim>/<path> under lora.adapters, or remove this download`,
    ]);
  });
});
