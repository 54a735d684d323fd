/**
 * The production short keys of a model (issue 10): parallelism, probes, extended resources,
 * per-workload env/args, scheduler by name, LoRA, KV-cache offloading, DRA, ServiceAccount,
 * sidecars, command. Written shapes only; `workload.ts` normalizes them, `render/workload.ts`
 * maps them onto the LLMInferenceService.
 */
import { z } from './zod.js';

const positive = z.number().int().positive();
const count = z.number().int().nonnegative();
const dnsSubdomain = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS-1123 subdomain: lower-case letters, digits, "-" and "."')
  .max(253);
const quantity = z
  .union([z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$/, 'must be a Kubernetes quantity such as 500m, 4, 16Gi'), z.number().nonnegative()])
  .describe('A Kubernetes quantity (e.g. "4", "500m", "16Gi").');

/** `80m`, `1h30m`, `90s`, or a number of seconds. */
export const duration = z
  .union([z.string().regex(/^([0-9]+(s|m|h))+$/, 'must be a duration such as 30s, 20m or 1h30m'), z.number().int().nonnegative()])
  .describe('A duration: 30s, 20m, 1h30m, or a number of seconds.');

const envValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.strictObject({ secretKeyRef: z.strictObject({ name: dnsSubdomain, key: z.string().min(1) }) }),
  z.strictObject({ configMapKeyRef: z.strictObject({ name: dnsSubdomain, key: z.string().min(1) }) }),
  z.strictObject({ fieldRef: z.strictObject({ fieldPath: z.string().min(1), apiVersion: z.string().optional() }) }),
]);
export const envMap = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must be a valid environment variable name — letters, digits, "_", "." or "-", not starting with a digit (e.g. LOG_LEVEL)'), envValue)
  .describe('Environment of the vLLM container: NAME: value, or NAME: {secretKeyRef: {name, key}} — never a literal token.');

export const parallelism = z
  .strictObject({
    tensor: positive.optional().describe('GPUs one model copy is split over inside a pod (--tensor-parallel-size). @default the GPUs per pod'),
    data: positive.optional().describe('Data-parallel ranks in total (needs dataLocal); data > dataLocal spreads them over several pods (a LeaderWorkerSet).'),
    dataLocal: positive.optional().describe('Data-parallel ranks per pod (needs data).'),
    pipeline: positive.optional().describe('Pipeline stages, one pod each (needs an LLMInferenceServiceConfig named kserve-config-llm-worker-pipeline-parallel: KServe v0.20 ships none).'),
    expert: z.boolean().optional().describe('Expert parallelism for MoE models (--enable-expert-parallel; with data parallelism).'),
    rpcPort: z.number().int().min(1).max(65535).optional().describe('spec.parallelism.dataRPCPort. @default KServe’s 5555'),
  })
  .describe('KServe’s spec.parallelism: GPUs per pod = tensor × dataLocal (or tensor with pipeline); `worker` pods are rendered when data parallelism or pipeline > 1 asks for them.');

const probe = z.strictObject({
  delay: duration.optional().describe('initialDelaySeconds'),
  period: duration.optional().describe('periodSeconds'),
  timeout: duration.optional().describe('timeoutSeconds'),
  failures: positive.optional().describe('failureThreshold'),
  scheme: z.enum(['HTTP', 'HTTPS']).optional().describe('Writes the whole httpGet (/health on 8000) with this scheme. HTTPS only works with KServe TLS on (ingress.enableLLMInferenceServiceTLS). @default the preset’s'),
});

export const probes = z
  .strictObject({
    startup: z
      .union([duration, z.strictObject({ budget: duration, period: duration.optional() })])
      .optional()
      .describe('How long the model may take to load before Kubernetes restarts it: 80m → startupProbe failureThreshold × periodSeconds (10s). @default from the model size when known (library or params), else the preset’s 10m'),
    liveness: probe.optional(),
    readiness: probe.optional(),
  })
  .describe('Probes of the vLLM container, merged over the KServe preset’s /health probes.');

const workloadExtras = {
  env: envMap.optional().describe('Environment for this workload only (merged over the model’s env).'),
  args: z.array(z.string()).optional().describe('vLLM arguments for this workload only (after the model’s args).'),
  runAsRoot: z.boolean().optional().describe('This workload only: see runAsRoot.'),
};

export const decode = z.strictObject(workloadExtras).describe('Settings of the decode (main) workload only; with prefill-decode the model’s own env/args go to both.');

export const prefill = z
  .strictObject({
    replicas: count.optional().describe('@default KServe’s (1)'),
    gpus: count.optional().describe('@default the decode gpus'),
    tensorParallel: positive.optional().describe('@default prefill gpus'),
    parallelism: parallelism.optional(),
    ...workloadExtras,
  })
  .describe('Prefill workload of a router: prefill-decode model.');

export const SCHEDULERS = ['default', 'prefix-cache', 'precise-prefix-cache', 'load-aware', 'latency-predictor'] as const;
export const scheduler = z
  .union([
    z.enum(SCHEDULERS),
    z.strictObject({
      config: z.enum(SCHEDULERS).optional().describe('@default default'),
      blockSize: positive.optional().describe('precise-prefix-cache: vLLM KV block size the scorer hashes by. @default 16'),
      hashSeed: z.string().optional().describe('precise-prefix-cache: PYTHONHASHSEED shared with vLLM. @default "42"'),
      replicas: positive.optional().describe('Scheduler (EPP) replicas.'),
      configMap: dnsSubdomain.optional().describe('An existing ConfigMap (key epp) holding the EndpointPickerConfig, instead of a named config.'),
      env: envMap.optional().describe('Environment of the scheduler pod’s own container (main: the endpoint picker), merged over KServe’s.'),
      tokenizerEnv: envMap.optional().describe('Environment of the scheduler pod’s tokenizer container (KServe’s scheduler preset runs one beside main), e.g. LOG_LEVEL: DEBUG.'),
    }),
  ])
  .describe('The llm-d scheduler’s plugin configuration by name: default (KServe’s preset), prefix-cache, precise-prefix-cache (KV-event driven, sets the matching vLLM flags), load-aware, latency-predictor (adds KServe’s latency-predictor preset).');

export const lora = z
  .strictObject({
    adapters: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be an adapter name: letters, digits, ".", "_" or "-"'), z.string().regex(/^(hf|s3|pvc):\/\/[^/\s]+(\/[^\s]*)?$/, 'must be hf://org/adapter, s3://bucket/path or pvc://claim/path (KServe refuses oci:// adapters)')).describe('Adapter name (what clients send as "model") → where it is.'),
    maxRank: positive.optional().describe('--max-lora-rank'),
    maxAdapters: positive.optional().describe('--max-loras'),
    maxCpuAdapters: positive.optional().describe('--max-cpu-loras'),
    download: z
      .record(
        z.string(),
        z.strictObject({
          from: z.string().regex(/^hf:\/\/[^/\s]+\/[^\s]+$/, 'must be an hf://org/adapter reference'),
          size: quantity,
          storageClass: z.string().optional(),
          accessMode: z.enum(['ReadWriteOnce', 'ReadWriteMany', 'ReadOnlyMany', 'ReadWriteOncePod']).optional(),
        }),
      )
      .optional()
      .describe('For pvc:// adapters: adapter name → {from: hf://…, size} — the PersistentVolumeClaim and a download Job, as `download:` does for models.'),
  })
  .describe('LoRA adapters served beside the base model (spec.model.lora).');

export const kvCacheOffload = z
  .strictObject({
    cpu: quantity.describe('CPU RAM for the primary KV-cache tier, e.g. 20Gi.'),
    evictionPolicy: z.enum(['lru', 'arc']).optional(),
    disk: quantity.optional().describe('A node-local emptyDir secondary tier of this size.'),
    claim: dnsSubdomain.optional().describe('An existing PersistentVolumeClaim as the secondary tier.'),
  })
  .describe('KV-cache offloading (spec.kvCacheOffloading, vLLM ≥ 0.22 OffloadingConnector).');

export const dra = z
  .strictObject({
    deviceClass: dnsSubdomain.describe('DeviceClass the claim asks for, e.g. gpu.nvidia.com.'),
    count: positive.optional().describe('Devices per pod. @default 1'),
    container: z.string().min(1).optional().describe('@default main'),
    selector: z.string().min(1).optional().describe('CEL device selector.'),
  })
  .describe('KServe managed DRA (serving.kserve.io/exp-dra-* annotations) instead of a GPU resource limit.');

const container = z.record(z.string(), z.unknown()).refine((c) => typeof c.name === 'string' && c.name.length > 0 && c.name !== 'main', { message: 'a sidecar is a container with a `name` (not "main")' });
export const sidecars = z
  .strictObject({
    before: z.array(container).optional().describe('Containers listed before main.'),
    after: z.array(container).optional().describe('Containers listed after main.'),
  })
  .describe('Extra containers of the model pods, in order around main.');

/** Fields a model, the `defaults` and a `templates:` entry share (besides those of schema.ts). */
export const productionFields = {
  parallelism: parallelism.optional(),
  probes: probes.optional(),
  runAsRoot: z.boolean().optional().describe('Run the vLLM container as root (securityContext.runAsNonRoot: false; some CPU images need it).'),
  command: z.array(z.string()).optional().describe('Replace the container command (e.g. a simulator image).'),
  decode: decode.optional(),
  scheduler: scheduler.optional(),
  route: z.boolean().optional().describe('false: the scheduler without an HTTPRoute and Gateway (bring your own route). @default true'),
  lora: lora.optional(),
  kvCacheOffload: kvCacheOffload.optional(),
  dra: dra.optional(),
  serviceAccount: dnsSubdomain.optional().describe('ServiceAccount of the model pods (and workers).'),
  sidecars: sidecars.optional(),
  templates: z.array(z.string().min(1)).optional().describe('Names from `templates:` merged under this model, in order (the model’s own keys win).'),
};
