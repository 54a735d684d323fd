/**
 * Requirements → delivery units: what Argo CD or Flux syncs, pinned and ordered, before the
 * KServe platform. A project that ships a Helm chart is a chart unit (repository or OCI URL +
 * version + values); one that ships release manifests is a path unit (a kustomization under
 * base/prerequisites/<name>/<version> that points at the release manifest, or at the vendored
 * copy); the GatewayClass + Gateway are our own objects under environments/<env>/prerequisites.
 *
 * Sync waves (Argo CD; Flux uses the same order as dependsOn):
 *   -4  CRDs and self-contained installs: cert-manager, gateway-api, inference-extension,
 *       envoy-gateway-crds, envoy-ai-gateway-crds
 *   -3  controllers that need those CRDs: envoy-gateway, leaderworkerset, keda
 *   -2  envoy-ai-gateway (after the Envoy Gateway it extends, as KServe's installer orders them),
 *       gateway (GatewayClass + Gateway: needs the Gateway API CRDs and the Envoy Gateway controller)
 *    0  the KServe platform (render/argocd.ts), 1 the models
 */
import type { Environment, JsonObject } from '../model/types.js';
import { envDir } from '../render/environment.js';
import { managedRequirements } from './requirements.js';
import { chartVendorDir, VENDORED_CHARTS } from './charts.js';
import type { PrerequisiteName, Requirement } from './types.js';

export interface ChartSource {
  /** https:// Helm repository, or oci://registry/path/chart for an OCI chart. */
  readonly repo: string;
  readonly chart: string;
  readonly version: string;
}

export type UnitSource =
  | {
      readonly type: 'chart';
      readonly chart: ChartSource;
      readonly values: JsonObject;
      readonly skipCrds: boolean;
      readonly releaseName: string;
      /** Vendored mode: the chart's folder in this repository (base/vendor/<name>/<version>), installed instead of chart.repo. */
      readonly vendored?: string;
    }
  | { readonly type: 'path'; readonly path: string };

export interface Unit {
  /** Unit id: names the Application / Kustomization `<env>-<id>`. */
  readonly id: string;
  readonly prerequisite: PrerequisiteName;
  readonly version: string;
  readonly wave: number;
  /** Destination (Argo CD) / target (Flux) namespace. */
  readonly namespace: string;
  /** Server-side apply: CRDs above the 262,144-byte last-applied annotation. */
  readonly serverSide: boolean;
  readonly source: UnitSource;
  /** Unit ids this one must follow (Flux dependsOn; Argo CD gets it from the waves). */
  readonly after: readonly string[];
}

export const isOci = (repo: string) => repo.startsWith('oci://');

/** The Application / Kustomization of a unit: `<env>-<id>`. */
export const unitName = (env: Environment, u: Pick<Unit, 'id'>) => `${env.name}-${u.id}`;

/** base/prerequisites/<name>/<version>: the kustomization of a release-manifest dependency. */
export const prerequisiteBase = (name: string, version: string) => `base/prerequisites/${name}/${version}`;
/** environments/<env>/prerequisites/<id>: objects the tree writes itself (gateway; Flux chart units). */
export const prerequisiteDir = (env: Environment, id: string) => `${envDir(env)}/prerequisites/${id}`;

const ENVOY_OCI = 'oci://registry-1.docker.io/envoyproxy';
const AI_GATEWAY_NAMESPACE = 'envoy-ai-gateway-system';
const AI_GATEWAY_CONTROLLER = 'ai-gateway-controller';

/**
 * Envoy Gateway settings the AI gateway needs (Envoy Gateway's EnvoyGateway config API): the AI
 * gateway controller as extension server on the xDS translation hooks, Backend resources, and
 * InferencePool as an extension backend — what lets a Gateway route to the scheduler's pool.
 */
function aiGatewayHooks(): JsonObject {
  const all = { includeAll: true };
  return {
    config: {
      envoyGateway: {
        extensionApis: { enableBackend: true, enableEnvoyPatchPolicy: true },
        extensionManager: {
          hooks: { xdsTranslator: { translation: { listener: all, route: all, cluster: all, secret: all }, post: ['Translation', 'Cluster', 'Route'] } },
          service: { fqdn: { hostname: `${AI_GATEWAY_CONTROLLER}.${AI_GATEWAY_NAMESPACE}.svc.cluster.local`, port: 1063 } },
          backendResources: [{ group: 'inference.networking.k8s.io', kind: 'InferencePool', version: 'v1' }],
        },
      },
    },
  };
}

function chart(id: string, r: Requirement, wave: number, namespace: string, c: Omit<ChartSource, 'version'>, extra: { values?: JsonObject; skipCrds?: boolean; serverSide?: boolean; after?: string[]; vendored?: string } = {}): Unit {
  return {
    id,
    prerequisite: r.name,
    version: r.version,
    wave,
    namespace,
    serverSide: extra.serverSide ?? false,
    source: { type: 'chart', chart: { ...c, version: r.version }, values: extra.values ?? {}, skipCrds: extra.skipCrds ?? false, releaseName: id, ...(extra.vendored ? { vendored: extra.vendored } : {}) },
    after: extra.after ?? [],
  };
}

function path(id: string, r: Requirement, wave: number, namespace: string, p: string, after: string[] = []): Unit {
  return { id, prerequisite: r.name, version: r.version, wave, namespace, serverSide: true, source: { type: 'path', path: p }, after };
}

/** The vendored copies `env`'s units install from, by prerequisite and version (check verifies each against its lock). */
export function vendoredCopies(env: Environment): { name: string; version: string }[] {
  const out: { name: string; version: string }[] = [];
  for (const u of unitsOf(env)) {
    if (u.source.type === 'chart' && u.source.vendored) out.push({ name: u.prerequisite, version: u.version });
    // Release manifests (base/prerequisites/<name>/<version>/vendor) follow platform.source.
    else if (env.platform.source === 'vendored' && u.source.type === 'path' && u.source.path.startsWith('base/prerequisites/')) out.push({ name: u.id, version: u.version });
  }
  return out;
}

/** The delivery units of `env`'s managed prerequisites, in sync order (wave, then id). */
export function unitsOf(env: Environment): Unit[] {
  const managed = managedRequirements(env);
  const has = (n: PrerequisiteName) => managed.some((r) => r.name === n);
  // The folder of a vendored chart, when the catalog says `source: vendored` for it.
  const vendored = (r: Requirement) => (env.prerequisites[r.name]?.source === 'vendored' && VENDORED_CHARTS[r.name] ? chartVendorDir(r.name, r.version) : undefined);
  const units: Unit[] = [];
  for (const r of managed) {
    switch (r.name) {
      case 'cert-manager':
        // crds.enabled: the chart's CRDs are templates, so they are synced (and upgraded) with it.
        units.push(chart('cert-manager', r, -4, 'cert-manager', { repo: 'https://charts.jetstack.io', chart: 'cert-manager' }, { values: { crds: { enabled: true } }, serverSide: true, vendored: vendored(r) }));
        break;
      case 'gateway-api':
        units.push(path('gateway-api', r, -4, 'default', prerequisiteBase('gateway-api', r.version)));
        break;
      case 'inference-extension':
        units.push(path('inference-extension', r, -4, 'default', prerequisiteBase('inference-extension', r.version)));
        break;
      case 'envoy-gateway': {
        // Its own CRDs only (gateway-api owns the Gateway API CRDs; the gateway-helm chart would
        // bring the experimental channel of them), then the controller without CRDs. Vendored,
        // the CRDs are the vendored chart's own CRD folder, applied as plain manifests.
        const dir = vendored(r);
        units.push(
          dir
            ? path('envoy-gateway-crds', r, -4, 'envoy-gateway-system', `${dir}/${VENDORED_CHARTS['envoy-gateway']!.crds!}`)
            : chart('envoy-gateway-crds', r, -4, 'envoy-gateway-system', { repo: `${ENVOY_OCI}/gateway-crds-helm`, chart: 'gateway-crds-helm' }, { values: { crds: { gatewayAPI: { enabled: false }, envoyGateway: { enabled: true } } }, serverSide: true }),
          chart('envoy-gateway', r, -3, 'envoy-gateway-system', { repo: `${ENVOY_OCI}/gateway-helm`, chart: 'gateway-helm' }, {
            // The bundled crds subchart also templates Gateway API's safe-upgrade ValidatingAdmissionPolicy,
            // which the Gateway API install (the gateway-api unit, or whoever installed it) owns; `helm
            // template` (Argo CD) cannot see that it exists. One owner: switched off here.
            values: { crds: { gatewayAPI: { safeUpgradePolicy: { enabled: false } } }, ...(has('envoy-ai-gateway') ? aiGatewayHooks() : {}) },
            skipCrds: true,
            vendored: dir,
            after: ['envoy-gateway-crds', ...(has('gateway-api') ? ['gateway-api'] : []), ...(has('inference-extension') ? ['inference-extension'] : [])],
          }),
        );
        break;
      }
      case 'envoy-ai-gateway':
        units.push(
          chart('envoy-ai-gateway-crds', r, -4, AI_GATEWAY_NAMESPACE, { repo: `${ENVOY_OCI}/ai-gateway-crds-helm`, chart: 'ai-gateway-crds-helm' }, { serverSide: true }),
          chart('envoy-ai-gateway', r, -2, AI_GATEWAY_NAMESPACE, { repo: `${ENVOY_OCI}/ai-gateway-helm`, chart: 'ai-gateway-helm' }, { after: ['envoy-ai-gateway-crds', ...(has('envoy-gateway') ? ['envoy-gateway'] : [])] }),
        );
        break;
      case 'gateway':
        units.push(path('gateway', r, -2, 'kserve', prerequisiteDir(env, 'gateway'), [...(has('gateway-api') ? ['gateway-api'] : []), ...(has('envoy-gateway') ? ['envoy-gateway'] : [])]));
        break;
      case 'leaderworkerset':
        units.push(path('leaderworkerset', r, -3, 'lws-system', prerequisiteBase('leaderworkerset', r.version)));
        break;
      case 'keda':
        units.push(chart('keda', r, -3, 'keda', { repo: 'https://kedacore.github.io/charts', chart: 'keda' }, { serverSide: true, vendored: vendored(r) }));
        break;
      case 'external-secrets':
        break; // never managed (rules refuse it)
    }
  }
  return units.sort((a, b) => a.wave - b.wave || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
