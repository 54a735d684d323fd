/**
 * CatalogFile → Environment: every default is applied here and nowhere else.
 * Runs after the schema and the rules passed, so it may assume well-formed input.
 */
import type { CatalogFile, ModelFile, ProfileFile, ResourcesFile, EnvFile } from './schema.js';
import { DEFAULT_KSERVE_VERSION, GPU_RESOURCE } from '../model/kserve.js';
import { defaultCpuImage } from './cpu-image.js';
import type { Environment, EnvVar, Hardware, JsonObject, Model, Resources, Delivery } from '../model/types.js';
import { deepMerge } from '../render/merge.js';
import { DEFAULT_SHARD_ABOVE, DEFAULT_SHARDS } from '../sharding/assign.js';
import { extrasOf, needsWorker, parallelismOf, podGpusOf, productionOf } from './workload.js';
import { own } from './lookup.js';
import { modelAccessOf, prerequisitesOf } from '../prerequisites/normalize.js';

/** A model with the environment defaults merged under it (the model's own fields win). */
export function withDefaults(defaults: CatalogFile['defaults'], model: ModelFile): ModelFile {
  if (!defaults) return model;
  // Merged once per model and catalog, however many rules and renderers ask (never mutate the result).
  let byModel = mergedOnce.get(defaults);
  if (!byModel) mergedOnce.set(defaults, (byModel = new WeakMap()));
  let merged = byModel.get(model);
  if (!merged) byModel.set(model, (merged = mergeDefaults(defaults, model)));
  return merged;
}

const mergedOnce = new WeakMap<object, WeakMap<ModelFile, ModelFile>>();

function mergeDefaults(defaults: NonNullable<CatalogFile['defaults']>, model: ModelFile): ModelFile {
  const merged = { ...defaults, ...model } as ModelFile;
  for (const key of ['env', 'labels', 'annotations', 'spec'] as const) {
    if (defaults[key] && model[key]) {
      (merged as Record<string, unknown>)[key] = deepMerge(defaults[key] as JsonObject, model[key] as JsonObject);
    }
  }
  return merged;
}

export function parseProfileRef(ref: string): { name: string; gpus?: number } {
  const [name = '', count] = ref.split(':');
  return count === undefined ? { name } : { name, gpus: Number(count) };
}

export function hardwareOf(m: ModelFile, profiles: CatalogFile['profiles']): Hardware {
  const ref = m.profile ? parseProfileRef(m.profile) : undefined;
  const profile: ProfileFile = (ref && own(profiles, ref.name)) || {};
  const accelerator = m.accelerator ?? profile.accelerator ?? 'nvidia';
  const gpus = ref?.gpus ?? m.gpus ?? (accelerator === 'cpu' ? 0 : (podGpusOf(m.tensorParallel, m.parallelism) ?? 1));
  const resourceName = accelerator === 'cpu' ? undefined : (profile.resourceName ?? GPU_RESOURCE[accelerator]);
  // By assignment, in this key order (see modelOf).
  const out: { -readonly [K in keyof Hardware]: Hardware[K] } = { accelerator, gpus };
  if (resourceName) out.resourceName = resourceName;
  if (profile.nodeSelector) out.nodeSelector = profile.nodeSelector;
  if (profile.tolerations) out.tolerations = profile.tolerations as JsonObject[];
  if (profile.runtimeClassName) out.runtimeClassName = profile.runtimeClassName;
  return out;
}

export function resourcesOf(r: ResourcesFile | undefined): Resources | undefined {
  if (!r) return undefined;
  const q = (v: string | number | undefined) => (v === undefined ? undefined : String(v));
  const pair = (p: { cpu?: string | number; memory?: string | number } | undefined) => {
    const out: { cpu?: string; memory?: string } = {};
    const cpu = q(p?.cpu);
    const memory = q(p?.memory);
    if (cpu !== undefined) out.cpu = cpu;
    if (memory !== undefined) out.memory = memory;
    return out;
  };
  const extended: Record<string, number> = {};
  for (const [k, v] of Object.entries(r)) {
    if (['cpu', 'memory', 'requests', 'limits'].includes(k) || typeof v !== 'number') continue;
    extended[k === 'rdma' ? 'rdma/roce_gdr' : k] = v;
  }
  const ext = Object.keys(extended).length ? { extended } : {};
  if (r.requests || r.limits) return { requests: pair(r.requests), limits: pair(r.limits), ...ext };
  const same = pair(r);
  return { requests: same, limits: same, ...ext };
}

export function envOf(env: EnvFile | undefined): EnvVar[] {
  return Object.entries(env ?? {}).map(([name, v]) =>
    typeof v === 'object' ? { name, valueFrom: v as JsonObject } : { name, value: String(v) },
  );
}

/** The served model id: explicit, else the repo id of an hf:// uri, else the object name. */
export function servedNameOf(key: string, m: ModelFile): string {
  if (m.name) return m.name;
  const hf = /^hf:\/\/([^?#]+?)\/?$/.exec(m.uri ?? '');
  return hf?.[1] ?? key;
}

function deliveryOf(d: CatalogFile['delivery']): Delivery {
  const engine = d?.engine ?? 'none';
  return {
    engine,
    repoURL: d?.repoURL ?? '',
    revision: d?.revision ?? 'main',
    namespace: d?.namespace ?? (engine === 'flux' ? 'flux-system' : 'argocd'),
    project: d?.project ?? 'default',
    server: d?.server ?? 'https://kubernetes.default.svc',
    automated: d?.automated ?? true,
    prune: d?.prune ?? true,
    selfHeal: d?.selfHeal ?? true,
    interval: d?.interval ?? '10m',
    timeout: d?.timeout ?? '30m',
    shardAbove: d?.shardAbove ?? DEFAULT_SHARD_ABOVE,
    shards: d?.shards ?? DEFAULT_SHARDS,
  };
}

function prefillOf(m: ModelFile, gpus: number): NonNullable<Model['prefill']> {
  const parallelism = parallelismOf(gpus, m.prefill?.tensorParallel, m.prefill?.parallelism);
  return {
    ...(m.prefill?.replicas !== undefined ? { replicas: m.prefill.replicas } : {}),
    gpus,
    tensorParallel: parallelism.tensor,
    parallelism,
    worker: needsWorker(parallelism),
    ...extrasOf(m.prefill),
  };
}

function modelOf(key: string, file: ModelFile, c: CatalogFile, kserve: string): Model {
  const m = withDefaults(c.defaults, file);
  const hardware = hardwareOf(m, c.profiles);
  const profile = m.profile ? own(c.profiles, parseProfileRef(m.profile).name) : undefined;
  const parallelism = parallelismOf(hardware.gpus, m.tensorParallel, m.parallelism);
  const router = m.router ?? 'scheduler';
  const cpuImage = defaultCpuImage(m, profile, hardware, kserve, c.presets);
  const image = m.image ?? profile?.image ?? cpuImage;
  const resources = resourcesOf(m.resources ?? profile?.resources);
  const claim = /^pvc:\/\/([^/]+)\/?(.*)$/.exec(m.uri ?? '');
  const prefillGpus = m.prefill?.gpus ?? (m.prefill && podGpusOf(m.prefill.tensorParallel, m.prefill.parallelism)) ?? hardware.gpus;
  // Built by assignment in the literal's key order (the same object): a literal of conditional
  // spreads gives every model a hidden class of its own, and each reader of the models runs megamorphic.
  const out: Record<string, unknown> = { name: key, servedName: servedNameOf(key, m), uri: m.uri ?? '' };
  if (m.autoscaling) out.autoscaling = { min: m.autoscaling.min, max: m.autoscaling.max, engine: m.autoscaling.engine ?? 'hpa' };
  else if (m.replicas !== undefined) out.replicas = m.replicas;
  out.hardware = hardware;
  if (m.profile) out.profile = parseProfileRef(m.profile).name;
  out.tensorParallel = parallelism.tensor;
  out.parallelism = parallelism;
  out.worker = needsWorker(parallelism);
  out.router = router;
  if (router === 'prefill-decode') out.prefill = prefillOf(m, prefillGpus);
  out.decode = extrasOf(m.decode);
  // KServe's CPU image runs as root: with it comes runAsNonRoot: false, unless the catalog says otherwise.
  out.production = cpuImage && m.runAsRoot === undefined ? { ...productionOf(m, kserve), runAsRoot: true } : productionOf(m, kserve);
  if (resources) out.resources = resources;
  if (image) out.image = image;
  if (m.hfTokenSecret) out.hfTokenSecret = m.hfTokenSecret;
  if (m.download && claim) {
    out.download = {
      from: m.download.from,
      claim: claim[1] ?? '',
      subPath: claim[2] ?? '',
      size: String(m.download.size),
      ...(m.download.storageClass ? { storageClass: m.download.storageClass } : {}),
      accessMode: m.download.accessMode ?? 'ReadWriteMany',
      image: m.download.image ?? `kserve/storage-initializer:${kserve}`,
    };
  }
  out.args = m.args ?? [];
  out.env = envOf(m.env);
  out.presets = m.presets ?? [];
  out.stopped = m.stopped ?? false;
  out.labels = m.labels ?? {};
  out.annotations = m.annotations ?? {};
  if (m.spec) out.spec = m.spec as JsonObject;
  return out as unknown as Model;
}

export function normalize(name: string, file: string, c: CatalogFile): Environment {
  const kserve = c.platform?.kserve ?? DEFAULT_KSERVE_VERSION;
  const health = c.health;
  return {
    name,
    file,
    namespace: c.namespace,
    platform: { mode: c.platform?.mode ?? 'standalone', kserve, source: c.platform?.source ?? 'remote' },
    delivery: deliveryOf(c.delivery),
    ...(health
      ? { health: { schedule: health.schedule ?? '*/15 * * * *', image: health.image, timeout: health.timeout ?? '5m', output: health.output ?? 'json' } }
      : {}),
    presets: Object.entries(c.presets ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([presetName, p]) => ({ name: presetName, spec: p.spec as JsonObject, ...(p.description ? { description: p.description } : {}) })),
    images: c.images ?? {},
    models: Object.keys(c.models)
      .sort()
      .map((key) => modelOf(key, c.models[key]!, c, kserve)),
    prerequisites: prerequisitesOf(c.platform?.prerequisites),
    modelAccess: modelAccessOf(c.modelAccess),
  };
}
