/**
 * Names and paths of the delivery objects of an environment, shared by the Argo CD and Flux
 * renderers so that both engines deliver the same units from the same folders.
 *
 *   <env>-delivery   root: applied once by a person, delivers the two units below
 *                    (Flux: also the GitRepository's name)
 *   <env>-platform   environments/<env>/platform (CRDs, controller, well-known configs)
 *   <env>-models     environments/<env> (namespace, LLMInferenceServices, presets, storage)
 *
 * The unit names come from model/delivery-names.ts, which `health` reads them back with.
 * Objects are named after the environment, not after the cluster: two environments on one
 * cluster get two platform units, so all but one of them must set `platform.mode: none`
 * (see ARCHITECTURE.md, Delivery).
 */
import { modelsDeliveryName, platformDeliveryName, rootDeliveryName } from '../model/delivery-names.js';
import { MANAGED_BY } from '../model/names.js';
import type { Environment } from '../model/types.js';
import { envDir } from './environment.js';
import { shardsOf, type Shard } from '../sharding/assign.js';

export interface DeliveryNames {
  readonly root: string;
  readonly platform: string;
  readonly models: string;
  /** Folder of the delivery objects: what `kubectl apply -k` takes. */
  readonly dir: string;
  /** Folder the root delivers: the per-unit objects. */
  readonly appsDir: string;
  /** Argo CD only: the argocd-cm patch with the health checks. */
  readonly healthDir: string;
  readonly platformPath: string;
  readonly modelsPath: string;
}

export function deliveryNames(env: Environment): DeliveryNames {
  const dir = `${envDir(env)}/delivery`;
  return {
    root: rootDeliveryName(env.name),
    platform: platformDeliveryName(env.name),
    models: modelsDeliveryName(env.name),
    dir,
    appsDir: `${dir}/apps`,
    healthDir: `${dir}/argocd-health`,
    platformPath: `${envDir(env)}/platform`,
    modelsPath: envDir(env),
  };
}

/** Labels on every delivery object, so `kubectl get applications -l llm-gitops/environment=prod` finds them. */
export function deliveryLabels(env: Environment): Record<string, string> {
  return { ...MANAGED_BY, 'llm-gitops/environment': env.name };
}

/**
 * The unit files of `delivery/apps`, in sync order: the platform only when the catalog installs
 * it, then the models unit, then a sharded environment's shard units (sharding/assign.ts).
 */
export function unitFiles<T>(env: Environment, platform: (env: Environment) => T, models: (env: Environment) => T, shard: (env: Environment, s: Shard) => T): [string, T][] {
  return [
    ...(env.platform.mode === 'none' ? [] : [['platform.yaml', platform(env)] as [string, T]]),
    ['models.yaml', models(env)],
    ...shardsOf(env).map((s): [string, T] => [`${s.unit.slice(env.name.length + 1)}.yaml`, shard(env, s)]),
  ];
}
