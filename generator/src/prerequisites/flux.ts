/**
 * Flux objects for the prerequisite units. Each unit is a Kustomization `<env>-<id>` in Flux's
 * namespace (`wait: true`, `dependsOn` the units it follows), so the platform Kustomization can
 * `dependsOn` all of them — HelmRelease dependsOn can only name HelmReleases.
 * - Path units: the Kustomization applies the kustomization in this repository.
 * - Chart units: it applies environments/<env>/prerequisites/<id>/, which holds the chart's
 *   source (HelmRepository, or OCIRepository for an oci:// chart) and the HelmRelease; a vendored
 *   chart needs no source object (the HelmRelease takes it from the GitRepository).
 * Deletion orphans (as the platform unit): dropping a unit must not uninstall cert-manager.
 */
import type { Environment, JsonObject } from '../model/types.js';
import { deliveryLabels, deliveryNames } from '../render/delivery-names.js';
import { FLUX_KUSTOMIZE_API_VERSION, FLUX_SOURCE_API_VERSION } from '../render/flux.js';
import { kustomization } from '../render/kustomization.js';
import type { OutputFile } from '../render/output.js';
import { yamlDocs } from '../render/yaml.js';
import { unitName } from './argocd.js';
import { isOci, prerequisiteDir, unitsOf, type Unit } from './units.js';

export const FLUX_HELM_API_VERSION = 'helm.toolkit.fluxcd.io/v2';
/** Charts are pinned: look for a changed artifact hourly at most. */
const SOURCE_INTERVAL = '1h';

function meta(env: Environment, name: string, u: Unit): JsonObject {
  return { name, namespace: env.delivery.namespace, labels: { ...deliveryLabels(env), 'llm-gitops/prerequisite': u.prerequisite } };
}

/** The chart's source (none when vendored: the GitRepository is) and HelmRelease (chart units only). */
export function chartObjects(env: Environment, u: Unit): JsonObject[] {
  if (u.source.type !== 'chart') return [];
  const s = u.source;
  const name = unitName(env, u);
  const crds = s.skipCrds ? 'Skip' : 'CreateReplace';
  const oci = isOci(s.chart.repo);
  // Vendored: the chart is a folder of the GitRepository every unit syncs from.
  const chart: JsonObject = s.vendored
    ? { chart: { spec: { chart: `./${s.vendored}`, sourceRef: { kind: 'GitRepository', name: deliveryNames(env).root }, interval: SOURCE_INTERVAL } } }
    : oci
      ? { chartRef: { kind: 'OCIRepository', name } }
      : { chart: { spec: { chart: s.chart.chart, version: s.chart.version, sourceRef: { kind: 'HelmRepository', name }, interval: SOURCE_INTERVAL } } };
  const src: JsonObject = oci
    ? {
        apiVersion: FLUX_SOURCE_API_VERSION,
        kind: 'OCIRepository',
        metadata: meta(env, name, u),
        spec: { interval: SOURCE_INTERVAL, url: s.chart.repo, ref: { tag: s.chart.version }, layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' } },
      }
    : { apiVersion: FLUX_SOURCE_API_VERSION, kind: 'HelmRepository', metadata: meta(env, name, u), spec: { interval: SOURCE_INTERVAL, url: s.chart.repo } };
  const release: JsonObject = {
    apiVersion: FLUX_HELM_API_VERSION,
    kind: 'HelmRelease',
    metadata: meta(env, name, u),
    spec: {
      interval: env.delivery.interval,
      timeout: env.delivery.timeout,
      releaseName: s.releaseName,
      targetNamespace: u.namespace,
      storageNamespace: u.namespace,
      ...chart,
      install: { createNamespace: true, crds, remediation: { retries: 3 } },
      upgrade: { crds, remediation: { retries: 3 } },
      ...(Object.keys(s.values).length ? { values: s.values } : {}),
    },
  };
  return s.vendored ? [release] : [src, release];
}

export function prerequisiteKustomization(env: Environment, u: Unit): JsonObject {
  const d = env.delivery;
  const path = u.source.type === 'path' ? u.source.path : prerequisiteDir(env, u.id);
  return {
    apiVersion: FLUX_KUSTOMIZE_API_VERSION,
    kind: 'Kustomization',
    metadata: meta(env, unitName(env, u), u),
    spec: {
      interval: d.interval,
      retryInterval: '2m',
      timeout: d.timeout,
      sourceRef: { kind: 'GitRepository', name: deliveryNames(env).root },
      path: `./${path}`,
      prune: d.prune,
      wait: true,
      deletionPolicy: 'Orphan',
      ...(u.after.length ? { dependsOn: u.after.map((id) => ({ name: unitName(env, { id }) })) } : {}),
    },
  };
}

/** `[file under delivery/apps, Kustomization]` per unit, in order. */
export function prerequisiteKustomizations(env: Environment): [string, JsonObject][] {
  return unitsOf(env).map((u) => [`prerequisite-${u.id}.yaml`, prerequisiteKustomization(env, u)]);
}

/** environments/<env>/prerequisites/<id>/ of the chart units (Flux only). */
export function fluxChartFiles(env: Environment): OutputFile[] {
  return unitsOf(env).flatMap((u) => {
    const objs = chartObjects(env, u);
    if (!objs.length) return [];
    const dir = prerequisiteDir(env, u.id);
    const release = objs[objs.length - 1]!;
    return [
      { path: `${dir}/kustomization.yaml`, ...yamlDocs(env.file, kustomization({ resources: objs.length > 1 ? ['source.yaml', 'release.yaml'] : ['release.yaml'] })) },
      ...(objs.length > 1 ? [{ path: `${dir}/source.yaml`, ...yamlDocs(env.file, objs[0]!) }] : []),
      { path: `${dir}/release.yaml`, ...yamlDocs(env.file, release) },
    ];
  });
}
