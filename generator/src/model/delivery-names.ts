/**
 * Names of the objects that deliver an environment, shared by the delivery renderer (which
 * writes them) and `health` (which reads them back from the cluster). One home, so the two
 * can never disagree.
 *
 * Argo CD Applications live in `delivery.namespace` (default argocd), Flux Kustomizations in
 * `delivery.namespace` (default flux-system). Both engines use the same names: `<env>-delivery` (the
 * root that delivers the units), `<env>-platform` (KServe llmisvc, only when the catalog installs
 * the platform) and `<env>-models`.
 */
import type { Environment } from './types.js';
import { shardUnitNames } from '../sharding/assign.js';

/**
 * The root of `env`'s delivery (applied once by a person; delivers the two units below). Argo CD:
 * an app-of-apps Application; Flux: a Kustomization, and the GitRepository's name.
 */
export function rootDeliveryName(env: string): string {
  return `${env}-delivery`;
}

/** The platform unit of `env` (CRDs, controller, well-known configs). */
export function platformDeliveryName(env: string): string {
  return `${env}-platform`;
}

/** The models unit of `env` (namespace, LLMInferenceServices, presets, storage, health job). */
export function modelsDeliveryName(env: string): string {
  return `${env}-models`;
}

/**
 * Every Application / Kustomization delivering `env`, in sync order (root, platform, models);
 * empty when the engine is none. Then a sharded environment's shard units (`<env>-models-<nn>`).
 */
export function deliveryNames(env: Environment): string[] {
  if (env.delivery.engine === 'none') return [];
  return [rootDeliveryName(env.name), ...(env.platform.mode === 'none' ? [] : [platformDeliveryName(env.name)]), modelsDeliveryName(env.name), ...shardUnitNames(env)];
}

/** Argo CD Application names of `env` (empty unless the engine is argocd). */
export function argoApplicationNames(env: Environment): string[] {
  return env.delivery.engine === 'argocd' ? deliveryNames(env) : [];
}

/** Flux Kustomization names of `env` (empty unless the engine is flux). */
export function fluxKustomizationNames(env: Environment): string[] {
  return env.delivery.engine === 'flux' ? deliveryNames(env) : [];
}
