/**
 * Sharded delivery: an environment with more models than `delivery.shardAbove` is delivered as
 * several model units (`<env>-models-00` …), each its own kustomization, so Argo CD's
 * repo-server and Flux's kustomize-controller build a few hundred objects per unit instead of
 * thousands in one (kustomize's build time grows faster than linearly with the objects in it).
 *
 * Assignment is rendezvous (highest-random-weight) hashing over a fixed number of shards
 * (`delivery.shards`): each model goes to the shard whose hash of (model name, shard) is the
 * highest. A model's shard depends only on its own name and the shard count, so adding or
 * removing a model never moves another, and a change touches one unit. (`hash mod count` would
 * do that too, but changing the count would move almost every model; with rendezvous hashing a
 * new count moves only the models the new shards win. Name ranges would need stored boundaries
 * and re-splitting as names cluster.) Pure.
 */
import type { Environment, Model } from '../model/types.js';

/** Sharding starts above this many models in one environment. */
export const DEFAULT_SHARD_ABOVE = 300;
/** Shards of a sharded environment: ~160 models each at 5,000, a build of about a second. */
export const DEFAULT_SHARDS = 32;

export interface Shard {
  readonly index: number;
  /** The delivery unit's name: `<env>-models-<nn>`. */
  readonly unit: string;
  /** Repository path of its kustomization folder. */
  readonly dir: string;
  /** Its models, in catalog order. */
  readonly models: readonly Model[];
}

/** Whether `env` is delivered in shards (only with a delivery engine: shards are delivery units). */
export function isSharded(env: Environment): boolean {
  return env.delivery.engine !== 'none' && env.models.length > env.delivery.shardAbove;
}

/** FNV-1a (32 bit) of a string. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** MurmurHash3's finaliser: spreads every input bit over the output. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The shard (0 … count-1) of model `name` among `count` shards. */
export function shardOf(name: string, count: number): number {
  const h = fnv1a(name);
  let best = 0;
  let bestScore = -1;
  for (let k = 0; k < count; k++) {
    const score = mix(h ^ mix(Math.imul(k + 1, 0x9e3779b9)));
    if (score > bestScore) [best, bestScore] = [k, score];
  }
  return best;
}

/** `<env>-models-<nn>`, the index zero-padded so that names sort in shard order. */
export function shardUnitName(env: string, index: number, count: number): string {
  return `${env}-models-${String(index).padStart(Math.max(2, String(count - 1).length), '0')}`;
}

/** The shard unit names of `env`, in order (empty when it is not sharded). */
export function shardUnitNames(env: Environment): string[] {
  if (!isSharded(env)) return [];
  return Array.from({ length: env.delivery.shards }, (_, i) => shardUnitName(env.name, i, env.delivery.shards));
}

/** Every shard of `env` (all of them, empty ones too, so the set of units never changes with the models); [] when not sharded. */
export function shardsOf(env: Environment): Shard[] {
  if (!isSharded(env)) return [];
  const count = env.delivery.shards;
  const members: Model[][] = Array.from({ length: count }, () => []);
  for (const m of env.models) members[shardOf(m.name, count)]!.push(m);
  return members.map((models, index) => {
    const unit = shardUnitName(env.name, index, count);
    return { index, unit, dir: `environments/${env.name}/shards/${unit.slice(env.name.length + '-models-'.length)}`, models };
  });
}

/** Model name → its shard's unit name, for a sharded environment. */
export function unitOfModel(env: Environment): Map<string, string> {
  return new Map(shardsOf(env).flatMap((s) => s.models.map((m) => [m.name, s.unit] as const)));
}
