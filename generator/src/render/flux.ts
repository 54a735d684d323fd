/**
 * Flux delivery of one environment: a GitRepository and Kustomizations in Flux's namespace.
 *
 *   delivery/kustomization.yaml  → source.yaml, root.yaml   what a person applies once per cluster
 *   delivery/source.yaml         GitRepository <env>-delivery
 *   delivery/root.yaml           Kustomization <env>-delivery  → delivery/apps (so unit changes arrive by git)
 *   delivery/apps/platform.yaml  Kustomization <env>-platform → environments/<env>/platform
 *   delivery/apps/models.yaml    Kustomization <env>-models   → environments/<env>, dependsOn platform
 *
 * One GitRepository per environment: environments may name different repositories or revisions,
 * and a shared one would be a file no single catalog owns.
 */
import { STARTING_REASONS } from '../model/kserve.js';
import type { Environment, JsonObject } from '../model/types.js';
import { LLMISVC_API_VERSION, STOP_ANNOTATION } from '../model/kserve.js';
import { deliveryLabels, deliveryNames, unitFiles } from './delivery-names.js';
import { kustomization } from './kustomization.js';
import type { OutputFile } from './output.js';
import { yamlDocs } from './yaml.js';
import type { Shard } from '../sharding/assign.js';
import { prerequisiteKustomizations } from '../prerequisites/flux.js';
import { unitName } from '../prerequisites/argocd.js';
import { unitsOf } from '../prerequisites/units.js';

export const FLUX_SOURCE_API_VERSION = 'source.toolkit.fluxcd.io/v1';
export const FLUX_KUSTOMIZE_API_VERSION = 'kustomize.toolkit.fluxcd.io/v1';

/** Polling git is cheap; a merged change should reach the cluster in a minute, not an interval. */
const SOURCE_INTERVAL = '1m';
/** A failed apply (webhook not serving yet, CRD not established) is retried this soon. */
const RETRY_INTERVAL = '2m';

/** Reasons KServe reports while a model is starting (Ready=False is not a failure then). */
/** Starting reasons, plus Stopped: a stopped model is what the catalog asked for. */
const NOT_FAILING = [...STARTING_REASONS, 'Stopped'];

const reason = (c: string) => `(has(${c}.reason) ? ${c}.reason : '')`;
const stopped = `(has(metadata.annotations) && '${STOP_ANNOTATION}' in metadata.annotations && metadata.annotations['${STOP_ANNOTATION}'] == 'true')`;

/**
 * kstatus alone judges an LLMInferenceService by Ready (after its generation check) and never
 * calls it failed, so a stopped model would hold the Kustomization until its timeout and a
 * missing preset would only surface as a timeout. These expressions run after Flux's own
 * generation check (status.observedGeneration == metadata.generation): stopped models count as
 * current, PresetsCombined=False or Ready=False for a non-starting reason as failed. An object
 * without status makes the expressions error, which Flux treats as not ready yet.
 */
export const LLMISVC_HEALTH_EXPRS: JsonObject = {
  apiVersion: LLMISVC_API_VERSION,
  kind: 'LLMInferenceService',
  current: `${stopped} || (has(status.conditions) && status.conditions.exists(c, c.type == 'Ready' && c.status == 'True'))`,
  failed:
    `!${stopped} && has(status.conditions) && status.conditions.exists(c, ` +
    `(c.type == 'PresetsCombined' && c.status == 'False' && ${reason('c')} != 'Stopped') || ` +
    `(c.type == 'Ready' && c.status == 'False' && !(${reason('c')} in [${NOT_FAILING.map((r) => `'${r}'`).join(', ')}])))`,
};

/** Flux's GitRepository ref from the catalog's revision: a commit SHA, a full ref, or a branch. */
export function gitRef(revision: string): JsonObject {
  if (/^[0-9a-f]{40}$/.test(revision)) return { commit: revision };
  if (revision.startsWith('refs/')) return { name: revision };
  return { branch: revision };
}

function metadata(env: Environment, name: string): JsonObject {
  return { name, namespace: env.delivery.namespace, labels: deliveryLabels(env) };
}

function fluxKustomization(env: Environment, name: string, path: string, spec: JsonObject): JsonObject {
  const d = env.delivery;
  return {
    apiVersion: FLUX_KUSTOMIZE_API_VERSION,
    kind: 'Kustomization',
    metadata: metadata(env, name),
    spec: {
      interval: d.interval,
      retryInterval: RETRY_INTERVAL,
      timeout: d.timeout,
      sourceRef: { kind: 'GitRepository', name: deliveryNames(env).root },
      path: `./${path}`,
      prune: d.prune,
      ...spec,
    },
  };
}

export function gitRepository(env: Environment): JsonObject {
  return {
    apiVersion: FLUX_SOURCE_API_VERSION,
    kind: 'GitRepository',
    metadata: metadata(env, deliveryNames(env).root),
    spec: { interval: SOURCE_INTERVAL, url: env.delivery.repoURL, ref: gitRef(env.delivery.revision) },
  };
}

/**
 * The platform waits for its workloads (controller Available, certificates and configs Ready).
 * Orphan on deletion: removing the unit must not take the controller that models' finalizers need.
 */
export function platformKustomization(env: Environment): JsonObject {
  const n = deliveryNames(env);
  const prerequisites = unitsOf(env).map((u) => ({ name: unitName(env, u) }));
  return fluxKustomization(env, n.platform, n.platformPath, { wait: true, deletionPolicy: 'Orphan', ...(prerequisites.length ? { dependsOn: prerequisites } : {}) });
}

/**
 * Models start after the platform is Ready; with `wait` their Ready means every model is Ready.
 * Deleting the unit deletes the models even with prune off, as the Argo CD finalizer does.
 */
export function modelsKustomization(env: Environment): JsonObject {
  const n = deliveryNames(env);
  return fluxKustomization(env, n.models, n.modelsPath, {
    ...(env.platform.mode === 'none'
      ? unitsOf(env).length
        ? { dependsOn: unitsOf(env).map((u) => ({ name: unitName(env, u) })) }
        : {}
      : { dependsOn: [{ name: n.platform }] }),
    wait: true,
    healthCheckExprs: [LLMISVC_HEALTH_EXPRS],
    deletionPolicy: 'Delete',
  });
}

/**
 * A shard of a sharded environment's models (sharding/assign.ts): after the models unit (the
 * namespace and presets), waiting for its models like the models unit does.
 */
export function shardKustomization(env: Environment, shard: Shard): JsonObject {
  return fluxKustomization(env, shard.unit, shard.dir, {
    dependsOn: [{ name: deliveryNames(env).models }],
    wait: true,
    healthCheckExprs: [LLMISVC_HEALTH_EXPRS],
    deletionPolicy: 'Delete',
  });
}

/**
 * The root applies the unit Kustomizations. It does not wait for them (its timeout would have to
 * cover both units; read readiness on <env>-models). Deleting it deletes the units.
 */
export function rootKustomization(env: Environment): JsonObject {
  const n = deliveryNames(env);
  return fluxKustomization(env, n.root, n.appsDir, { wait: false, deletionPolicy: 'Delete' });
}

export function renderFlux(env: Environment): OutputFile[] {
  const n = deliveryNames(env);
  const src = env.file;
  // The prerequisites' Kustomizations first; the platform dependsOn all of them.
  const units = [...prerequisiteKustomizations(env), ...unitFiles(env, platformKustomization, modelsKustomization, shardKustomization)];
  return [
    { path: `${n.dir}/kustomization.yaml`, ...yamlDocs(src, kustomization({ resources: ['source.yaml', 'root.yaml'] })) },
    { path: `${n.dir}/source.yaml`, ...yamlDocs(src, gitRepository(env)) },
    { path: `${n.dir}/root.yaml`, ...yamlDocs(src, rootKustomization(env)) },
    { path: `${n.appsDir}/kustomization.yaml`, ...yamlDocs(src, kustomization({ resources: units.map(([f]) => f) })) },
    ...units.map(([f, obj]) => ({ path: `${n.appsDir}/${f}`, ...yamlDocs(src, obj) })),
  ];
}
