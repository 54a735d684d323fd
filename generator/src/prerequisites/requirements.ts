/**
 * Environment → the dependencies it needs, each managed, external or bundled, with its version.
 * Pure, and the one answer both `generate` (what to deliver) and preflight (what must already be
 * there) use. Needs are read off the LLMInferenceServices the catalog renders (and the presets
 * they name), so any way a catalog asks for a scheduler, a worker or KEDA counts.
 *
 *   route (router scheduler/direct/prefill-decode) → gateway-api, envoy-gateway, gateway
 *   scheduler                                      → + inference-extension, envoy-ai-gateway
 *   worker (multi-node)                            → leaderworkerset
 *   scaling.wva.keda                               → keda
 *   KServe itself (always)                         → cert-manager
 *   an ExternalSecret for a token                  → external-secrets (always external)
 *
 * Defaults per platform.mode, for what the models need:
 *   standalone  everything managed: an empty cluster converges from the tree alone.
 *   addons      KServe core is already running, so what it needs too is expected: cert-manager,
 *               Gateway API, Envoy Gateway and the Gateway (and the AI gateway, which reconfigures
 *               Envoy Gateway) external; LeaderWorkerSet and KEDA (llmisvc-only) managed.
 *   none        the platform is someone else's: everything external.
 * inference-extension defaults to managed when the AI gateway is (its controller wants the CRD
 * first, and the tree then drops the copy bundled with KServe), else bundled with KServe.
 */
import type { Environment, JsonObject, PlatformMode } from '../model/types.js';
import { KSERVE_NAMESPACE } from '../model/kserve.js';
import { renderLLMInferenceService } from '../render/llmisvc.js';
import { pinnedVersion } from './pins.js';
import { PREREQUISITES, type ClusterObject, type Install, type PrerequisiteName, type Requirement } from './types.js';

export const GATEWAY_NAME = 'kserve-ingress-gateway';
export const GATEWAY_NAMESPACE = KSERVE_NAMESPACE;
export const DEFAULT_GATEWAY_CLASS = 'envoy';
export const ENVOY_GATEWAY_CONTROLLER = 'gateway.envoyproxy.io/gatewayclass-controller';

/** What the models of an environment use, with the model names for each need. */
export interface Needs {
  readonly route: readonly string[];
  readonly scheduler: readonly string[];
  readonly worker: readonly string[];
  readonly keda: readonly string[];
}

const obj = (v: unknown): JsonObject | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : undefined);

export function needsOf(env: Environment): Needs {
  const presets = new Map(env.presets.map((p) => [p.name, p.spec]));
  const route: string[] = [];
  const scheduler: string[] = [];
  const worker: string[] = [];
  const keda: string[] = [];
  for (const m of env.models) {
    const own = obj(renderLLMInferenceService(env, m).spec) ?? {};
    const specs = [own, ...m.presets.flatMap((p) => (presets.has(p) ? [presets.get(p)!] : []))];
    const any = (f: (s: JsonObject) => unknown) => specs.some((s) => Boolean(f(s)));
    if (any((s) => obj(s.router)?.route !== undefined || obj(s.router)?.scheduler !== undefined)) route.push(m.name);
    if (any((s) => obj(s.router)?.scheduler !== undefined)) scheduler.push(m.name);
    if (any((s) => s.worker !== undefined || obj(s.prefill)?.worker !== undefined)) worker.push(m.name);
    if (any((s) => obj(obj(obj(s.scaling)?.wva))?.keda !== undefined || obj(obj(obj(obj(s.prefill)?.scaling)?.wva))?.keda !== undefined)) keda.push(m.name);
  }
  return { route, scheduler, worker, keda };
}

const list = (names: readonly string[]) => (names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', '));
/** "model a is" / "models a, b are" (verb given as [singular, plural]). */
const who = (names: readonly string[], [one, many]: [string, string]) => (names.length === 1 ? `model ${names[0]} ${one}` : `models ${list(names)} ${many}`);

/** Which dependencies the models need, and why. */
function needed(env: Environment, n: Needs): Map<PrerequisiteName, string> {
  const why = new Map<PrerequisiteName, string>();
  why.set('cert-manager', env.platform.mode === 'none' ? 'KServe (installed elsewhere) needs it for its webhook certificates' : 'KServe’s webhook and conversion certificates');
  if (n.route.length) {
    const w = `${who(n.route, ['is', 'are'])} routed through the Gateway`;
    for (const p of ['gateway-api', 'envoy-gateway', 'gateway'] as const) why.set(p, w);
  }
  if (n.scheduler.length) {
    const w = `${who(n.scheduler, ['uses', 'use'])} the llm-d scheduler (InferencePool)`;
    why.set('inference-extension', w);
    why.set('envoy-ai-gateway', w);
  }
  if (n.worker.length) why.set('leaderworkerset', `${who(n.worker, ['is', 'are'])} multi-node (worker)`);
  if (n.keda.length) why.set('keda', `${who(n.keda, ['autoscales', 'autoscale'])} with KEDA`);
  if (env.modelAccess.some((t) => t.externalSecret)) why.set('external-secrets', 'token Secrets come from ExternalSecrets');
  return why;
}

function defaultInstall(mode: PlatformMode, name: PrerequisiteName): Install {
  if (name === 'external-secrets') return 'external';
  if (mode === 'none') return 'external';
  if (mode === 'standalone') return 'managed';
  return name === 'leaderworkerset' || name === 'keda' ? 'managed' : 'external';
}

/** CRDs and objects preflight can check for each dependency. */
function clusterFacts(name: PrerequisiteName, className: string): { crds: string[]; objects: ClusterObject[] } {
  const deploy = (namespace: string, n: string): ClusterObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: n });
  switch (name) {
    case 'cert-manager':
      return { crds: ['certificates.cert-manager.io', 'issuers.cert-manager.io'], objects: [deploy('cert-manager', 'cert-manager-webhook')] };
    case 'gateway-api':
      return { crds: ['gatewayclasses.gateway.networking.k8s.io', 'gateways.gateway.networking.k8s.io', 'httproutes.gateway.networking.k8s.io'], objects: [] };
    case 'inference-extension':
      return { crds: ['inferencepools.inference.networking.k8s.io'], objects: [] };
    case 'envoy-gateway':
      return { crds: ['envoyproxies.gateway.envoyproxy.io'], objects: [deploy('envoy-gateway-system', 'envoy-gateway')] };
    case 'envoy-ai-gateway':
      return { crds: ['aigatewayroutes.aigateway.envoyproxy.io'], objects: [deploy('envoy-ai-gateway-system', 'ai-gateway-controller')] };
    case 'gateway':
      return {
        crds: [],
        objects: [
          { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', name: className },
          { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', namespace: GATEWAY_NAMESPACE, name: GATEWAY_NAME },
        ],
      };
    case 'leaderworkerset':
      return { crds: ['leaderworkersets.leaderworkerset.x-k8s.io'], objects: [deploy('lws-system', 'lws-controller-manager')] };
    case 'keda':
      return { crds: ['scaledobjects.keda.sh'], objects: [deploy('keda', 'keda-operator')] };
    case 'external-secrets':
      return { crds: ['externalsecrets.external-secrets.io'], objects: [] };
  }
}

/**
 * Every dependency `env` requires, in install order: what its models need plus whatever the
 * catalog lists explicitly. Pure; preflight calls it to learn what must already be there
 * (`install === 'external'`), generate to learn what to deliver (`'managed'`).
 */
export function requirementsOf(env: Environment): Requirement[] {
  // Rendering asks a dozen times per environment (every unit, patch and README), and each answer
  // walks all its models: computed once per (immutable) Environment, handed out as a copy.
  let known = computed.get(env);
  if (!known) computed.set(env, (known = computeRequirements(env)));
  return [...known];
}

const computed = new WeakMap<Environment, readonly Requirement[]>();

function computeRequirements(env: Environment): Requirement[] {
  const why = needed(env, needsOf(env));
  const set = env.prerequisites;
  const installOf = (name: PrerequisiteName): Install => {
    const explicit = set[name]?.install;
    if (explicit) return explicit;
    if (name === 'inference-extension') {
      if (env.platform.mode === 'none') return 'external';
      return installOf('envoy-ai-gateway') === 'managed' && why.has('envoy-ai-gateway') ? 'managed' : 'bundled';
    }
    return defaultInstall(env.platform.mode, name);
  };
  const out: Requirement[] = [];
  for (const name of PREREQUISITES) {
    const reason = why.get(name) ?? (set[name] ? 'listed in platform.prerequisites' : undefined);
    if (!reason) continue;
    const install = installOf(name);
    const className = set.gateway?.className ?? DEFAULT_GATEWAY_CLASS;
    out.push({
      name,
      install,
      version: set[name]?.version ?? pinnedVersion(env.platform.kserve, name) ?? '',
      why: reason,
      ...clusterFacts(name, className),
    });
  }
  return out;
}

/** What must already be on the cluster before the first sync of `env` (for preflight). */
export function externalRequirements(env: Environment): Requirement[] {
  return requirementsOf(env).filter((r) => r.install === 'external');
}

/** What the tree installs for `env`. */
export function managedRequirements(env: Environment): Requirement[] {
  return requirementsOf(env).filter((r) => r.install === 'managed');
}

/** The GatewayClass name the environment's Gateway uses. */
export function gatewayClassOf(env: Environment): string {
  return env.prerequisites.gateway?.className ?? DEFAULT_GATEWAY_CLASS;
}
