/**
 * environments/<env>/: the models kustomization (namespace, one LLMInferenceService per model,
 * presets, storage objects) and the separately buildable platform kustomization.
 */
import { STORAGE_INITIALIZER_IMAGE, storageInitializerReplacement } from './storage-initializer.js';
import { MANAGED_BY } from '../model/names.js';
import { LLMISVC_API_VERSION } from '../model/kserve.js';
import type { Environment, JsonObject } from '../model/types.js';
import { imageOverride, kustomization } from './kustomization.js';
import { renderLLMInferenceService } from './llmisvc.js';
import type { OutputFile } from './output.js';
import { upstream } from './platform.js';
import { renderClaim, renderDownloadJob, renderHfServiceAccount } from './storage.js';
import { yamlDocs } from './yaml.js';
import { shardOf, shardsOf } from '../sharding/assign.js';
import { platformPatches, tokenResources } from '../prerequisites/render.js';
import { combined } from './shape.js';

export const envDir = (env: Environment) => `environments/${env.name}`;

/** Argo CD: the CRD may not exist yet when it dry-runs the first sync. */
function argoAnnotations(env: Environment): Record<string, string> {
  return env.delivery.engine === 'argocd' ? { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' } : {};
}

function earlierWave(env: Environment): Record<string, string> {
  return env.delivery.engine === 'argocd' ? { 'argocd.argoproj.io/sync-wave': '-1' } : {};
}

function withAnnotations(obj: JsonObject, annotations: Record<string, string>): JsonObject {
  if (!Object.keys(annotations).length) return obj;
  const metadata = obj.metadata as JsonObject;
  return combined(obj, { metadata: combined(metadata, { annotations: combined(metadata.annotations as JsonObject | undefined, annotations) }) });
}

export function renderPreset(env: Environment, p: Environment['presets'][number]): JsonObject {
  return {
    apiVersion: LLMISVC_API_VERSION,
    kind: 'LLMInferenceServiceConfig',
    metadata: {
      name: p.name,
      namespace: env.namespace,
      labels: { ...MANAGED_BY, 'llm-gitops/environment': env.name },
      ...(p.description ? { annotations: { 'llm-gitops/description': p.description } } : {}),
    },
    spec: p.spec,
  };
}

/** `omit`: models whose own files the caller does not need (render/tree.ts RenderOmit). */
export function renderModels(env: Environment, omit?: (env: Environment, model: Environment['models'][number]) => boolean): OutputFile[] {
  const dir = envDir(env);
  const src = env.file;
  const files: OutputFile[] = [];
  const resources: string[] = ['namespace.yaml'];
  files.push({
    path: `${dir}/namespace.yaml`,
    // Kept when the environment goes away: it holds the hand-made Secrets (hf-token…) too.
    ...yamlDocs(src, {
      apiVersion: 'v1',
      kind: 'Namespace',
      // First of the unit (Argo CD orders by wave before kind): claims (-2), download Jobs, presets and
      // ExternalSecrets (-1) live in it. test/replay.test.ts found the namespace arriving after them.
      metadata: { name: env.namespace, labels: { ...MANAGED_BY }, annotations: { 'argocd.argoproj.io/sync-options': 'Delete=false,Prune=false', ...(env.delivery.engine === 'argocd' ? { 'argocd.argoproj.io/sync-wave': '-3' } : {}), 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } },
    }),
  });
  // A sharded environment's models live in their shards' kustomizations (sharding/assign.ts);
  // everything they share (namespace, presets, service accounts, configs) stays here.
  const shards = shardsOf(env);
  const own = shards.map(() => [] as string[]);
  for (const shard of shards) for (const m of shard.models) files.push(...modelFiles(env, m, shard.dir, own[shard.index]!, omit?.(env, m)));
  if (!shards.length) for (const m of env.models) files.push(...modelFiles(env, m, dir, resources, omit?.(env, m)));
  // One claim may hold several models' weights (the rules make their settings agree). Sharded,
  // a claim goes to the shard of its own name: stable whichever models use it, and thousands of
  // claims do not slow down the build of the shared unit.
  const claims = new Map(
    env.models.flatMap((m) => [
      ...(m.production.lora?.downloads ?? []).map((d) => [d.claim, { ...m, download: d }] as const),
      ...(m.download ? [[m.download.claim, m] as const] : []),
    ]),
  );
  for (const [claim, m] of [...claims].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const path = `claims/${claim}.yaml`;
    const shard = shards.length ? shards[shardOf(claim, shards.length)]! : undefined;
    files.push({ path: `${shard ? shard.dir : dir}/${path}`, ...yamlDocs(src, renderClaim(env, m)) });
    (shard ? own[shard.index]! : resources).push(path);
  }
  for (const shard of shards) files.push({ path: `${shard.dir}/kustomization.yaml`, ...yamlDocs(src, kustomization({ namespace: env.namespace, resources: own[shard.index]! })) });
  for (const p of env.presets) {
    const path = `presets/${p.name}.yaml`;
    // Presets before the models that name them, else a model shows Degraded (ConfigNotFound) for a moment.
    files.push({ path: `${dir}/${path}`, ...yamlDocs(src, withAnnotations(renderPreset(env, p), { ...argoAnnotations(env), ...earlierWave(env) })) });
    resources.push(path);
  }
  const secrets = [...new Set(env.models.flatMap((m) => (m.hfTokenSecret ? [m.hfTokenSecret] : [])))].sort();
  for (const s of secrets) {
    const path = `serviceaccounts/${s}-reader.yaml`;
    files.push({ path: `${dir}/${path}`, ...yamlDocs(src, renderHfServiceAccount(env, s)) });
    resources.push(path);
  }
  // ExternalSecrets of the token Secrets whose store the catalog names (prerequisites/render.ts).
  for (const [path, obj] of tokenResources(env)) {
    files.push({ path: `${dir}/${path}`, ...yamlDocs(src, obj) });
    resources.push(path);
  }
  const images = Object.entries(env.images).sort(([a], [b]) => (a < b ? -1 : 1));
  if (images.length) {
    // Shadow copies of the well-known configs in this namespace win over the kserve ones
    // (KServe looks a config up in the service's namespace first).
    const configs = `${dir}/configs`;
    files.push({
      path: `${configs}/kustomization.yaml`,
      ...yamlDocs(
        src,
        kustomization({
          namespace: env.namespace,
          resources: [upstream({ version: env.platform.kserve, source: env.platform.source }, configs, 'llmisvcconfig')],
          images: images.map(([name, to]) => imageOverride(name, to)),
          commonAnnotations: { ...argoAnnotations(env), ...earlierWave(env) },
        }),
      ),
    });
    resources.push('configs');
  }
  // The scheduled health check (render/health-job.ts): its objects are in this namespace or cluster-scoped.
  if (env.health) resources.push('health');
  files.push({ path: `${dir}/kustomization.yaml`, ...yamlDocs(src, kustomization({ namespace: env.namespace, resources })) });
  return files;
}

/**
 * A model's files in folder `dir` (its LLMInferenceService, its download Job); their relative
 * paths are added to `resources` — also when `omit` leaves the files themselves out.
 */
function modelFiles(env: Environment, m: Environment['models'][number], dir: string, resources: string[], omit = false): OutputFile[] {
  const files: OutputFile[] = [];
  const add = (path: string, render: () => JsonObject) => {
    resources.push(path);
    if (!omit) files.push({ path: `${dir}/${path}`, ...yamlDocs(env.file, render()) });
  };
  add(`models/${m.name}.yaml`, () => withAnnotations(renderLLMInferenceService(env, m), argoAnnotations(env)));
  if (m.download) add(`models/${m.name}.download.yaml`, () => renderDownloadJob(env, m));
  // pvc:// LoRA adapters with `lora.download`: a Job each, like a model's download.
  for (const [i, d] of (m.production.lora?.downloads ?? []).entries()) add(`models/${m.name}.lora-${i}.download.yaml`, () => renderDownloadJob(env, { ...m, download: d }));
  return files;
}

export function renderPlatformEntry(env: Environment): OutputFile[] {
  if (env.platform.mode === 'none') return [];
  const v = env.platform.kserve;
  // An environment's storage-initializer override reaches the standalone install's inferenceservice-config too.
  const si = env.platform.mode === 'standalone' ? env.images[STORAGE_INITIALIZER_IMAGE] : undefined;
  const pin = si ? { images: [imageOverride(STORAGE_INITIALIZER_IMAGE, si)], replacements: [storageInitializerReplacement()] } : {};
  return [
    {
      path: `${envDir(env)}/platform/kustomization.yaml`,
      ...yamlDocs(env.file, kustomization({ resources: [`../../../overlays/${env.platform.mode}/${v}`, `../../../base/${v}/llmisvc-configs`], patches: platformPatches(env), ...pin })),
    },
  ];
}
