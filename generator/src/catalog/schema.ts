/**
 * The written shape of `environments/<env>/catalog.yaml` (what people type; every field optional
 * unless it has no sensible default). Defaults are applied in one place: `normalize.ts`.
 * This schema is also exported as `generator/schema/catalog.schema.json` for editors.
 */
import { z } from './zod.js';
import { envMap, prefill, productionFields } from './keys.js';
import { DTYPES } from '../library/entry.js';
import { modelAccessSchema, prerequisitesSchema } from '../prerequisites/schema.js';

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit')
  .max(63);
const dnsSubdomain = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS-1123 subdomain: lower-case letters, digits, "-" and "."')
  .max(253);
const quantity = z
  .union([z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$/, 'must be a Kubernetes quantity such as 500m, 4, 16Gi'), z.number().nonnegative()])
  .describe('A Kubernetes quantity (e.g. "4", "500m", "16Gi").');
const stringMap = z.record(z.string(), z.string());
const count = z.number().int().nonnegative();

export const URI_SCHEMES = ['hf', 'pvc', 'oci', 's3', 'gs'] as const;
const uri = z
  .string()
  .regex(/^(hf|pvc|oci|s3|gs):\/\/[^/\s]+(\/[^\s]*)?$/, 'must be hf://org/model, pvc://claim/path, oci://image, s3://bucket/path or gs://bucket/path')
  .describe('Where the weights are: hf://org/model, pvc://claim/path, oci://registry/image:tag, s3://bucket/path or gs://bucket/path.');

export const ACCELERATORS = ['nvidia', 'amd', 'cpu'] as const;
const accelerator = z.enum(ACCELERATORS).describe('nvidia → nvidia.com/gpu, amd → amd.com/gpu, cpu → no GPU resource. @default nvidia when the model asks for GPUs, else cpu');

export const ROUTERS = ['scheduler', 'direct', 'prefill-decode', 'none'] as const;
const router = z
  .enum(ROUTERS)
  .describe('scheduler: prefix-cache aware llm-d scheduler + HTTPRoute + default Gateway; direct: HTTPRoute only, Kubernetes Service load balancing; prefill-decode: disaggregated prefill/decode behind the scheduler; none: no route, ClusterIP Service only. @default scheduler');

const resourcePair = z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() });
const resources = z
  .object({
    cpu: quantity.optional(),
    memory: quantity.optional(),
    requests: resourcePair.optional(),
    limits: resourcePair.optional(),
    rdma: count.optional().describe('RDMA devices (rdma/roce_gdr) per pod.'),
  })
  .catchall(count)
  .describe('{cpu, memory} sets requests = limits; {requests: {cpu, memory}, limits: {cpu, memory}} sets them apart. Extended resources beside them — rdma: 1 (rdma/roce_gdr) or any vendor.com/resource: n — go into both requests and limits. GPUs come from `gpus`/`profile`.');

const env = envMap;

const toleration = z.strictObject({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.number().int().optional(),
});

const download = z
  .strictObject({
    from: z.string().regex(/^hf:\/\/[^/\s]+\/[^\s]+$/, 'must be an hf://org/model reference').describe('The hf:// repository to copy onto the PVC.'),
    // A bare number is bytes to Kubernetes: `size: 200` would make a 200-byte claim.
    size: z
      .union([z.string().regex(/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)$/, 'needs a unit, e.g. 200Gi (a bare number is bytes to Kubernetes)'), z.number()])
      .superRefine((v, ctx) => {
        if (typeof v === 'number') ctx.addIssue({ code: 'custom', message: `${v} needs a unit, e.g. ${v}Gi (a bare number is bytes to Kubernetes)` });
      })
      .describe('Size of the PersistentVolumeClaim with a unit, e.g. 40Gi.'),
    storageClass: z.string().optional().describe('@default the cluster default StorageClass'),
    accessMode: z.enum(['ReadWriteOnce', 'ReadWriteMany', 'ReadOnlyMany', 'ReadWriteOncePod']).optional().describe('@default ReadWriteMany (replicas on several nodes read it)'),
    image: z.string().optional().describe('@default kserve/storage-initializer:<platform.kserve>'),
  })
  .describe('For a pvc:// model: emit the PersistentVolumeClaim and a Job that downloads `from` into it.');

const autoscaling = z
  .strictObject({
    min: z.number().int().positive().describe('spec.scaling.minReplicas'),
    max: z.number().int().positive().describe('spec.scaling.maxReplicas'),
    engine: z.enum(['hpa', 'keda']).optional().describe('Actuator of the llm-d workload variant autoscaler. @default hpa'),
  })
  .describe('Mapped to spec.scaling (replaces replicas).');

/** Fields a model and the environment `defaults` share. */
const modelFields = {
  replicas: count.optional().describe('@default KServe’s (1)'),
  accelerator: accelerator.optional(),
  gpus: count.optional().describe('GPUs per replica. @default 1 for nvidia/amd, 0 for cpu'),
  tensorParallel: z.number().int().positive().optional().describe('= parallelism.tensor: GPUs one copy of the model is split over. @default the GPUs per pod'),
  profile: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(:[0-9]+)?$/, 'must be a profile name, optionally with a GPU count: h100:2')
    .optional()
    .describe('A hardware profile from `profiles`, optionally with the GPU count: h100:2.'),
  router: router.optional(),
  prefill: prefill.optional(),
  autoscaling: autoscaling.optional(),
  resources: resources.optional(),
  image: z.string().min(1).optional().describe('vLLM image for this model. @default the profile image, else the KServe preset image'),
  hfTokenSecret: dnsSubdomain.optional().describe('Name of a Secret (key HF_TOKEN) holding the HuggingFace token. The catalog never holds the token.'),
  args: z.array(z.string()).optional().describe('Extra vLLM arguments.'),
  env: env.optional(),
  presets: z.array(dnsSubdomain).optional().describe('LLMInferenceServiceConfig names put into spec.baseRefs, in order.'),
  stopped: z.boolean().optional().describe('Scale the model to nothing (annotation serving.kserve.io/stop).'),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  spec: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Escape hatch: deep-merged into the generated spec last. Maps merge, lists of named items merge by name, other lists are replaced, null deletes.'),
  ...productionFields,
  params: z.number().positive().optional().describe('Parameters in billions, for the GPU fit check of a model without a library entry.'),
  dtype: z.enum(DTYPES).optional().describe('Weight dtype for the fit check. @default bf16'),
};

export const modelSchema = z.strictObject({
  use: z.string().min(1).optional().describe('A model library entry (built in, or from environments/library.yaml): its uri, served name, vLLM flags, startup budget, and the GPUs per replica for the profile’s accelerator class.'),
  uri: uri.optional().describe('Where the weights are: hf://org/model, pvc://claim/path, oci://registry/image:tag, s3://bucket/path or gs://bucket/path. Required unless `use`.'),
  name: z.string().min(1).optional().describe('Served model id (what clients send as "model"). @default the repo id of an hf:// uri, else the key'),
  download: download.optional(),
  ...modelFields,
});

const defaultsSchema = z.strictObject(modelFields).describe('Merged under every model; a model’s own fields win.');

const profileSchema = z.strictObject({
  accelerator: accelerator.optional(),
  resourceName: z.string().regex(/^([a-z0-9.-]+\/)?[a-zA-Z0-9._-]+$/).optional().describe('Extended resource to request per GPU. @default from accelerator'),
  nodeSelector: stringMap.optional(),
  tolerations: z.array(toleration).optional(),
  runtimeClassName: z.string().optional(),
  image: z.string().min(1).optional().describe('vLLM image for models on this profile.'),
  resources: resources.optional().describe('CPU/memory of a replica on this profile (a model’s own resources win).'),
  gpuMemory: quantity.optional().describe('Memory of one GPU (80Gi), for the fit check. @default from a well-known nvidia.com/gpu.product or nvidia.com/gpu.memory in nodeSelector, or a profile named like a class (h100, l4, …)'),
});

const presetSchema = z.strictObject({
  description: z.string().optional(),
  spec: z.record(z.string(), z.unknown()).describe('LLMInferenceServiceConfig spec (the same shape as an LLMInferenceService spec).'),
});

const deliverySchema = z.strictObject({
  engine: z.enum(['argocd', 'flux', 'none']).optional().describe('@default none'),
  repoURL: z.string().min(1).optional().describe('Git URL Argo CD / Flux read this repository from (required unless engine is none).'),
  revision: z.string().min(1).optional().describe('Branch, tag or commit to sync. @default main'),
  namespace: dnsLabel.optional().describe('Namespace of Argo CD or Flux. @default argocd / flux-system'),
  project: z.string().min(1).optional().describe('Argo CD project. @default default'),
  server: z.string().min(1).optional().describe('Argo CD destination cluster. @default https://kubernetes.default.svc'),
  automated: z.boolean().optional().describe('Argo CD automated sync. @default true'),
  prune: z.boolean().optional().describe('Delete objects removed from git. @default true'),
  selfHeal: z.boolean().optional().describe('Argo CD self-heal. @default true'),
  interval: z.string().regex(/^([0-9]+(ms|s|m|h))+$/).optional().describe('Flux reconcile interval. @default 10m'),
  timeout: z.string().regex(/^([0-9]+(ms|s|m|h))+$/).optional().describe('Flux apply/health timeout. @default 30m'),
  shardAbove: z.number().int().min(1).optional().describe('Above this many models, deliver the models in `shards` units (Argo CD Applications / Flux Kustomizations) of their own. @default 300'),
  shards: z.number().int().min(2).max(1000).optional().describe('Model units of a sharded environment; a model\'s unit depends only on its name and this count. @default 32'),
});

const healthSchema = z.strictObject({
  schedule: z.string().min(1).optional().describe('Cron schedule of the readiness check. @default */15 * * * *'),
  image: z.string().min(1).describe('Image that runs `llm-gitops health` (see Dockerfile).'),
  timeout: z.string().regex(/^([0-9]+(ms|s|m|h))+$/).optional().describe('How long one run may poll. @default 5m'),
  output: z.enum(['table', 'json', 'junit', 'prometheus']).optional().describe('@default json'),
});

export const catalogSchema = z.strictObject({
  namespace: dnsLabel.describe('Namespace the models of this environment run in.'),
  platform: z
    .strictObject({
      mode: z.enum(['standalone', 'addons', 'none']).optional().describe('standalone: install KServe llmisvc with its shared resources; addons: KServe core is already installed; none: the platform is managed elsewhere. @default standalone'),
      kserve: z.string().regex(/^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/, 'must be a KServe release tag such as v0.20.0').optional().describe('@default v0.20.0'),
      source: z.enum(['remote', 'vendored']).optional().describe('remote: kustomize remote references to the upstream tag; vendored: the copy `llm-gitops vendor` made under base/vendor. @default remote'),
      prerequisites: prerequisitesSchema.optional(),
    })
    .optional(),
  delivery: deliverySchema.optional(),
  health: healthSchema.optional(),
  profiles: z.record(dnsLabel, profileSchema).optional().describe('Named hardware profiles a model picks with `profile: name:gpus`.'),
  presets: z.record(dnsSubdomain, presetSchema).optional().describe('Organisation LLMInferenceServiceConfigs rendered into the namespace; models list them in `presets`.'),
  images: z
    .record(z.string().min(1), z.string().min(1))
    .optional()
    .describe('Per-environment image overrides of the upstream well-known configs: upstream image name → replacement (name:tag or name@sha256:…).'),
  defaults: defaultsSchema.optional(),
  templates: z
    .record(dnsLabel, defaultsSchema.omit({ templates: true }))
    .optional()
    .describe('Named partial model entries (any model key but uri, name, download) that models include with `templates: [name, …]`, merged like `spec:` (defaults < templates in order < the model).'),
  modelAccess: modelAccessSchema.optional(),
  models: z.record(z.string(), modelSchema).describe('Models keyed by their LLMInferenceService name (a DNS-1123 label).'),
});

export type CatalogFile = z.infer<typeof catalogSchema>;
export type ModelFile = z.infer<typeof modelSchema>;
export type ResourcesFile = z.infer<typeof resources>;
export type EnvFile = z.infer<typeof env>;
export type ProfileFile = z.infer<typeof profileSchema>;

/** The JSON Schema handed to editors (`# yaml-language-server: $schema=…`). */
export function catalogJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(catalogSchema, { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://github.com/kserve-llm-gitops/catalog.schema.json', title: 'llm-gitops catalog' };
}
