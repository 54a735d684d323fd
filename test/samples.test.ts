/**
 * Every LLMInferenceService sample shipped with KServe v0.20.0 can be written as a catalog entry
 * whose generated spec equals the sample's spec (key order and quoting aside).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cli, KSERVE_SRC, repoWith } from './helpers/repo.js';

const CPU_IMAGE = 'public.ecr.aws/q9t5s3a7/vllm-cpu-release-repo:v0.19.0';

/** The pd-qwen sample's `main` container: the same in both workloads but for the KV role. */
function rdmaMain(role: string, indent: string): string {
  const nixl = `--kv_transfer_config '{\\"kv_connector\\":\\"NixlConnector\\",\\"kv_role\\":\\"${role}\\"}'`;
  return `- name: main
  env:
    - { name: KSERVE_INFER_ROCE, value: "true" }
    - { name: VLLM_NIXL_SIDE_CHANNEL_HOST, valueFrom: { fieldRef: { fieldPath: status.podIP } } }
    - { name: VLLM_ADDITIONAL_ARGS, value: "${nixl}" }
    - { name: UCX_PROTO_INFO, value: "y" }
    - { name: UCX_TLS, value: "rc,sm,self,cuda_copy,cuda_ipc" }
  resources: { limits: { rdma/roce_gdr: 1 }, requests: { rdma/roce_gdr: 1 } }
  livenessProbe:
    httpGet: { path: /health, port: 8000, scheme: HTTPS }
    initialDelaySeconds: 120
    periodSeconds: 30
    timeoutSeconds: 30
    failureThreshold: 5`
    .split('\n')
    .map((l) => indent + l)
    .join('\n');
}

/** sample file (under samples/) → catalog entry (YAML, indented under `models:`). */
const ENTRIES: Record<string, string> = {
  'opt-125m-cpu/llm-inference-service-facebook-opt-125m-cpu.yaml': `
  facebook-opt-125m-single:
    uri: hf://facebook/opt-125m
    accelerator: cpu
    image: ${CPU_IMAGE}
    env: { VLLM_LOGGING_LEVEL: DEBUG, VLLM_CPU_KVCACHE_SPACE: "1" }
    resources: { requests: { cpu: 100m, memory: 8Gi }, limits: { cpu: "1", memory: 10Gi } }
    spec:
      template:
        containers:
          - name: main
            securityContext: { runAsNonRoot: false }
            livenessProbe: { initialDelaySeconds: 30, periodSeconds: 30, timeoutSeconds: 30, failureThreshold: 5 }`,
  'opt-125m-cpu/llm-inference-service-facebook-opt-125m-cpu-no-scheduler.yaml': `
  facebook-opt-125m-single:
    uri: hf://facebook/opt-125m
    accelerator: cpu
    router: direct
    image: ${CPU_IMAGE}
    env: { VLLM_LOGGING_LEVEL: DEBUG, VLLM_CPU_KVCACHE_SPACE: "1" }
    resources: { requests: { cpu: 100m, memory: 8Gi }, limits: { cpu: "1", memory: 10Gi } }
    spec:
      template:
        containers:
          - name: main
            securityContext: { runAsNonRoot: false }
            livenessProbe: { initialDelaySeconds: 30, periodSeconds: 30, timeoutSeconds: 30, failureThreshold: 5 }`,
  'opt-125m-cpu/llm-inference-service-pd-facebook-opt-125m-cpu.yaml': `
  facebook-opt-125m-pd:
    uri: hf://facebook/opt-125m
    accelerator: cpu
    router: prefill-decode
    image: ${CPU_IMAGE}
    env: { VLLM_LOGGING_LEVEL: DEBUG }
    resources: { requests: { cpu: "1", memory: 8Gi }, limits: { cpu: "2", memory: 16Gi } }
    spec:
      replicas: null          # the sample leaves both replica counts to KServe
      prefill: { replicas: null }
      template:
        containers:
          - name: main
            securityContext: { runAsNonRoot: false }
            env: [{ name: VLLM_CPU_KVCACHE_SPACE, value: "1" }]`,
  'single-node-gpu/llm-inference-service-qwen2-7b-gpu.yaml': `
  qwen2-7b-instruct-single:
    uri: hf://Qwen/Qwen2.5-7B-Instruct
    gpus: 1
    replicas: 3
    resources: { requests: { cpu: "2", memory: 16Gi }, limits: { cpu: "4", memory: 32Gi } }
    spec:
      template:
        containers:
          - name: main
            livenessProbe:
              httpGet: { path: /health, port: 8000, scheme: HTTPS }
              initialDelaySeconds: 120
              periodSeconds: 30
              timeoutSeconds: 30
              failureThreshold: 5`,
  'single-node-gpu/llm-inference-service-qwen2-7b-gpu-no-scheduler.yaml': `
  qwen2-7b-instruct-single-no-scheduler:
    uri: hf://Qwen/Qwen2.5-7B-Instruct
    replicas: 3
    router: direct
    resources: { requests: { cpu: "2", memory: 16Gi }, limits: { cpu: "4", memory: 32Gi } }
    spec:
      template:
        containers:
          - name: main
            livenessProbe:
              httpGet: { path: /health, port: 8000, scheme: HTTPS }
              initialDelaySeconds: 120
              periodSeconds: 30
              timeoutSeconds: 30
              failureThreshold: 5`,
  'single-node-gpu/llm-inference-service-pd-qwen2-7b-gpu.yaml': `
  qwen2-7b-instruct-pd:
    uri: hf://Qwen/Qwen2.5-7B-Instruct
    annotations: { k8s.v1.cni.cncf.io/networks: roce-p2 }
    router: prefill-decode
    prefill: { replicas: 2 }
    resources: { requests: { cpu: "2", memory: 16Gi }, limits: { cpu: "4", memory: 32Gi } }
    spec:
      template:
        containers:
${rdmaMain('kv_consumer', '          ')}
      prefill:
        template:
          containers:
${rdmaMain('kv_producer', '            ')}`,
  'precise-prefix-kv-cache-routing/llm-inference-service-opt-125m-cpu-kv-cache-routing-simulator.yaml': `
  precise-prefix-test:
    uri: hf://facebook/opt-125m
    name: opt-125m
    accelerator: cpu
    replicas: 2
    image: ghcr.io/llm-d/llm-d-inference-sim:v0.10.0
    args: [--port, "8000", --model, "{{ .Spec.Model.Name }}", --mode, random, --enable-kvcache, --block-size, "16",
           --zmq-endpoint, "tcp://{{ ChildName .ObjectMeta.Name \`-epp-service\` }}:5557", --hash-seed, "42", --event-batch-size, "1"]
    env: { POD_IP: { fieldRef: { apiVersion: v1, fieldPath: status.podIP } } }
    resources: { requests: { cpu: 100m, memory: 100Mi }, limits: { cpu: "1", memory: 2Gi } }
    spec:
      template:
        containers:
          - name: main
            command: [/app/llm-d-inference-sim]
      router:
        scheduler:
          template:
            containers:
              - name: tokenizer
                env: [{ name: LOG_LEVEL, value: DEBUG }]
          config:
            inline:
              apiVersion: inference.networking.x-k8s.io/v1alpha1
              kind: EndpointPickerConfig
              plugins:
                - type: single-profile-handler
                - type: precise-prefix-cache-scorer
                  parameters:
                    tokenProcessorConfig: { blockSize: 16, hashSeed: "42" }
                    kvEventsConfig: { zmqEndpoint: "tcp://*:5557" }
                    indexerConfig: { kvBlockIndexConfig: { enableMetrics: true, metricsLoggingInterval: 60000000000 } }
                - type: kv-cache-utilization-scorer
                - type: queue-scorer
                - type: active-request-scorer
                  parameters: { requestTimeout: "2m", idleThreshold: 0, maxBusyScore: 0 }
                - type: max-score-picker
              schedulingProfiles:
                - name: default
                  plugins:
                    - { pluginRef: precise-prefix-cache-scorer, weight: 3 }
                    - { pluginRef: kv-cache-utilization-scorer, weight: 2 }
                    - { pluginRef: queue-scorer, weight: 2 }
                    - { pluginRef: active-request-scorer, weight: 3 }
                    - { pluginRef: max-score-picker }`,
};

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
      expect(got.spec).toEqual(want.spec);
      for (const [k, v] of Object.entries(want.metadata.annotations ?? {})) expect(got.metadata.annotations[k]).toBe(v);
    });
  });
});
