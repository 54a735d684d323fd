/**
 * Argo CD Applications for the prerequisite units, in delivery/apps beside the platform and
 * models units, ordered by sync wave (the root syncs its child Applications wave by wave and
 * waits for each wave's health: the argocd-cm patch restores Application health).
 *
 * - Chart units: the chart by repository URL (or `oci://` URL, Argo CD ≥ 3.1) and version, values
 *   inline; `skipCrds` where another unit owns the CRDs.
 * - Vendored chart units (`source: vendored`): the chart folder in this repository, as a Helm source.
 * - Path units: the kustomization in this repository (release manifest or vendored copy).
 * - No resources finalizer: deleting or dropping a unit (a switch to `external`) must leave
 *   cert-manager, the CRDs and the gateway running under the platform.
 * - CreateNamespace: charts install into a namespace nobody else declares.
 * - ServerSideApply for units with big CRDs (app-wide is fine here: nothing inside these units
 *   relies on our sync waves).
 */
import type { Environment, JsonObject } from '../model/types.js';
import { ARGOCD_API_VERSION, RETRY } from '../render/argocd.js';
import { deliveryLabels } from '../render/delivery-names.js';
import { isOci, unitName, unitsOf, type Unit } from './units.js';

export { unitName };

function source(env: Environment, u: Unit): JsonObject {
  if (u.source.type === 'path') return { repoURL: env.delivery.repoURL, targetRevision: env.delivery.revision, path: u.source.path };
  const s = u.source;
  const helm: JsonObject = {
    releaseName: s.releaseName,
    ...(Object.keys(s.values).length ? { valuesObject: s.values } : {}),
    ...(s.skipCrds ? { skipCrds: true } : {}),
  };
  // A vendored chart is a Helm source in this repository (Argo CD finds Chart.yaml at the path);
  // an OCI chart is an OCI source whose artifact is the chart (path "."); a classic repository names the chart.
  if (s.vendored) return { repoURL: env.delivery.repoURL, targetRevision: env.delivery.revision, path: s.vendored, helm };
  return isOci(s.chart.repo)
    ? { repoURL: s.chart.repo, targetRevision: s.chart.version, path: '.', helm }
    : { repoURL: s.chart.repo, chart: s.chart.chart, targetRevision: s.chart.version, helm };
}

export function prerequisiteApplication(env: Environment, u: Unit): JsonObject {
  const d = env.delivery;
  const syncOptions = ['CreateNamespace=true', ...(u.serverSide ? ['ServerSideApply=true'] : [])];
  return {
    apiVersion: ARGOCD_API_VERSION,
    kind: 'Application',
    metadata: {
      name: unitName(env, u),
      namespace: d.namespace,
      labels: { ...deliveryLabels(env), 'llm-gitops/prerequisite': u.prerequisite },
      annotations: { 'argocd.argoproj.io/sync-wave': String(u.wave) },
    },
    spec: {
      project: d.project,
      source: source(env, u),
      destination: { server: d.server, namespace: u.namespace },
      syncPolicy: { ...(d.automated ? { automated: { prune: d.prune, selfHeal: d.selfHeal } } : {}), retry: RETRY, syncOptions },
    },
  };
}

/** `[file under delivery/apps, Application]` per unit, in sync order. */
export function prerequisiteApplications(env: Environment): [string, JsonObject][] {
  return unitsOf(env).map((u) => [`prerequisite-${u.id}.yaml`, prerequisiteApplication(env, u)]);
}
