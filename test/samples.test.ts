/**
 * Every LLMInferenceService sample shipped with KServe v0.20.0 can be written as a catalog entry
 * whose generated spec equals the sample's spec (key order, quoting and env order aside), with the
 * production short keys of the catalog and the `spec:` escape hatch only where no key exists.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cli, KSERVE_SRC, repoWith } from './helpers/repo.js';

const CPU_IMAGE = 'public.ecr.aws/q9t5s3a7/vllm-cpu-release-repo:v0.19.0';
const NIXL = (role: string) => `"--kv_transfer_config '{\\"kv_connector\\":\\"NixlConnector\\",\\"kv_role\\":\\"${role}\\"}'"`;
const GPU_PROBE = 'probes: { liveness: { scheme: HTTPS, delay: 120s, period: 30s, timeout: 30s, failures: 5 } }';
const GPU_RESOURCES = 'resources: { requests: { cpu: "2", memory: 16Gi }, limits: { cpu: "4", memory: 32Gi } }';

/** sample file (under samples/) → catalog entry (YAML, indented under `models:`), short keys only where they exist. */
const ENTRIES: Record<string, string> = {
  'opt-125m-cpu/llm-inference-service-facebook-opt-125m-cpu.yaml': `
  facebook-opt-125m-single:
    uri: hf://facebook/opt-125m
    accelerator: cpu
    replicas: 1
    image: ${CPU_IMAGE}
    runAsRoot: true
    env: { VLLM_LOGGING_LEVEL: DEBUG, VLLM_CPU_KVCACHE_SPACE: "1" }
    resources: { requests: { cpu: 100m, memory: 8Gi }, limits: { cpu: "1", memory: 10Gi } }
    probes: { liveness: { delay: 30s, period: 30s, timeout: 30s, failures: 5 } }`,
  'opt-125m-cpu/llm-inference-service-facebook-opt-125m-cpu-no-scheduler.yaml': `
  facebook-opt-125m-single:
    uri: hf://facebook/opt-125m
    accelerator: cpu
    replicas: 1
    router: direct
    image: ${CPU_IMAGE}
    runAsRoot: true
    env: { VLLM_LOGGING_LEVEL: DEBUG, VLLM_CPU_KVCACHE_SPACE: "1" }
    resources: { requests: { cpu: 100m, memory: 8Gi }, limits: { cpu: "1", memory: 10Gi } }
    probes: { liveness: { delay: 30s, period: 30s, timeout: 30s, failures: 5 } }`,
  'opt-125m-cpu/llm-inference-service-pd-facebook-opt-125m-cpu.yaml': `
  facebook-opt-125m-pd:
    uri: hf://facebook/opt-125m
    accelerator: cpu
    router: prefill-decode
    image: ${CPU_IMAGE}
    env: { VLLM_LOGGING_LEVEL: DEBUG }
    resources: { requests: { cpu: "1", memory: 8Gi }, limits: { cpu: "2", memory: 16Gi } }
    decode: { runAsRoot: true, env: { VLLM_CPU_KVCACHE_SPACE: "1" } }`,
  'single-node-gpu/llm-inference-service-qwen2-7b-gpu.yaml': `
  qwen2-7b-instruct-single:
    uri: hf://Qwen/Qwen2.5-7B-Instruct
    gpus: 1
    replicas: 3
    ${GPU_RESOURCES}
    ${GPU_PROBE}`,
  'single-node-gpu/llm-inference-service-qwen2-7b-gpu-no-scheduler.yaml': `
  qwen2-7b-instruct-single-no-scheduler:
    uri: hf://Qwen/Qwen2.5-7B-Instruct
    replicas: 3
    router: direct
    ${GPU_RESOURCES}
    ${GPU_PROBE}`,
  'single-node-gpu/llm-inference-service-pd-qwen2-7b-gpu.yaml': `
  qwen2-7b-instruct-pd:
    uri: hf://Qwen/Qwen2.5-7B-Instruct
    annotations: { k8s.v1.cni.cncf.io/networks: roce-p2 }
    replicas: 1
    router: prefill-decode
    env:
      KSERVE_INFER_ROCE: "true"
      VLLM_NIXL_SIDE_CHANNEL_HOST: { fieldRef: { fieldPath: status.podIP } }
      UCX_PROTO_INFO: "y"
      UCX_TLS: rc,sm,self,cuda_copy,cuda_ipc
    decode: { env: { VLLM_ADDITIONAL_ARGS: ${NIXL('kv_consumer')} } }
    prefill: { replicas: 2, env: { VLLM_ADDITIONAL_ARGS: ${NIXL('kv_producer')} } }
    resources: { requests: { cpu: "2", memory: 16Gi }, limits: { cpu: "4", memory: 32Gi }, rdma: 1 }
    ${GPU_PROBE}`,
  'precise-prefix-kv-cache-routing/llm-inference-service-opt-125m-cpu-kv-cache-routing-simulator.yaml': `
  precise-prefix-test:
    uri: hf://facebook/opt-125m
    name: opt-125m
    accelerator: cpu
    replicas: 2
    image: ghcr.io/llm-d/llm-d-inference-sim:v0.10.0
    command: [/app/llm-d-inference-sim]
    args: [--port, "8000", --model, "{{ .Spec.Model.Name }}", --mode, random, --enable-kvcache, --block-size, "16",
           --zmq-endpoint, "tcp://{{ ChildName .ObjectMeta.Name \`-epp-service\` }}:5557", --hash-seed, "42", --event-batch-size, "1"]
    env: { POD_IP: { fieldRef: { apiVersion: v1, fieldPath: status.podIP } } }
    resources: { requests: { cpu: 100m, memory: 100Mi }, limits: { cpu: "1", memory: 2Gi } }
    scheduler: { config: precise-prefix-cache, tokenizerEnv: { LOG_LEVEL: DEBUG } }`,
};

/** Lines of the entries, and those inside a `spec:` escape hatch. */
export function specShare(entries: readonly string[]): { lines: number; inSpec: number } {
  let lines = 0;
  let inSpec = 0;
  for (const entry of entries) {
    let specIndent: number | undefined;
    for (const line of entry.split('\n').filter((l) => l.trim())) {
      const indent = line.length - line.trimStart().length;
      if (specIndent !== undefined && indent <= specIndent) specIndent = undefined;
      if (specIndent === undefined && /^\s*spec:/.test(line)) specIndent = indent;
      lines++;
      if (specIndent !== undefined) inSpec++;
    }
  }
  return { lines, inSpec };
}

/** Env order matters only for $(VAR) references, which no sample uses: compare env lists by name. */
function sortEnv(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortEnv);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = k === 'env' && Array.isArray(x) ? [...x].sort((a, b) => String(a.name).localeCompare(String(b.name))).map(sortEnv) : sortEnv(x);
    }
    return out;
  }
  return v;
}

function sampleFiles(): string[] {
  const root = join(KSERVE_SRC, 'samples');
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml'))
    .filter((f) => parse(readFileSync(join(root, f), 'utf8'))?.kind === 'LLMInferenceService')
    .map((f) => f.split('\\').join('/'))
    .sort();
}

describe('KServe samples as catalog entries', () => {
  it('covers every LLMInferenceService sample in ../shared', () => {
    expect(sampleFiles()).toEqual(Object.keys(ENTRIES).sort());
  });

  it('keeps under 15 % of the catalog lines inside spec:, and never undoes a generated value', () => {
    const { lines, inSpec } = specShare(Object.values(ENTRIES));
    const share = (100 * inSpec) / lines;
    console.log(`samples: ${inSpec} of ${lines} catalog lines (${share.toFixed(1)} %) inside spec:`);
    expect(share).toBeLessThan(15);
    for (const entry of Object.values(ENTRIES)) expect(entry).not.toMatch(/:\s*null\b/);
  });

  // Each sample goes into its own environment (several samples share a metadata.name).
  const envOf = (i: number) => `sample-${i}`;
  let repo: { dir: string; cleanup: () => void };
  beforeAll(async () => {
    const catalogs = Object.fromEntries(
      Object.values(ENTRIES).map((entry, i) => [envOf(i), `namespace: samples-${i}\nplatform: { mode: none }\nmodels:${entry}\n`]),
    );
    repo = repoWith(catalogs);
    const r = await cli(['generate'], repo.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
  afterAll(() => repo?.cleanup());

  Object.entries(ENTRIES).forEach(([sample, entry], i) => {
    it(`reproduces ${sample}`, () => {
      const want = parse(readFileSync(join(KSERVE_SRC, 'samples', sample), 'utf8'));
      const name = /^\s*([a-z0-9-]+):/.exec(entry)![1];
      const got = parse(readFileSync(join(repo.dir, 'environments', envOf(i), 'models', `${name}.yaml`), 'utf8'));
      expect(got.metadata.name).toBe(want.metadata.name);
      expect(sortEnv(got.spec)).toEqual(sortEnv(want.spec));
      for (const [k, v] of Object.entries(want.metadata.annotations ?? {})) expect(got.metadata.annotations[k]).toBe(v);
    });
  });

  it('validates clean: schema, every CEL rule of the CRD, and KServe v0.20.0 webhook rules (no false positives)', async () => {
    const r = await cli(['validate', '--schema-location', join(KSERVE_SRC, 'config', 'crd', 'full', 'llmisvc')], repo.dir, { LLM_GITOPS_CACHE: join(repo.dir, '.cache') });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^CEL: \d+ rules in \d+ CRD versions, (\d+) compiled \(those objects reached\), 0 could not be compiled, .*; [1-9]\d* rule evaluations/m);
  });
});
