/**
 * The schema locations `validate` uses when none are given (`--schema-location default`):
 * the pinned KServe llmisvc CRDs — the vendored copy when `llm-gitops vendor` made one, else
 * downloaded for the pinned tag — and the Argo CD and Flux CRDs of the versions this tool
 * targets, each downloaded once into the cache. Each URL is consulted only for its API group,
 * so a run without Argo CD objects never downloads Argo CD's CRDs.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { vendorDir } from '../render/platform.js';
import type { Location } from './schema-store.js';
import { pinnedVersion } from '../prerequisites/pins.js';
import { prerequisiteVendorDir } from '../prerequisites/objects.js';

/** Pinned delivery controller versions whose CRDs the default locations download. */
export const ARGOCD_VERSION = 'v3.5.1';
export const KUSTOMIZE_CONTROLLER_VERSION = 'v1.9.4';
export const SOURCE_CONTROLLER_VERSION = 'v1.9.1';
export const HELM_CONTROLLER_VERSION = 'v1.6.3';
/** External Secrets Operator, for the ExternalSecret of a token Secret. */
export const EXTERNAL_SECRETS_VERSION = 'v2.9.0';

const RAW = 'https://raw.githubusercontent.com';
const LLMISVC_CRDS = 'config/crd/full/llmisvc';

/** The llmisvc CRDs of KServe `version` at their upstream tag. */
export function kserveCrdUrls(version: string): string[] {
  return ['serving.kserve.io_llminferenceservices.yaml', 'serving.kserve.io_llminferenceserviceconfigs.yaml'].map((f) => `${RAW}/kserve/kserve/${version}/${LLMISVC_CRDS}/${f}`);
}

/** Argo CD and Flux CRDs (pinned), as group-scoped URL locations. */
export function deliveryCrdLocations(): Location[] {
  const argo = ['application-crd.yaml', 'applicationset-crd.yaml', 'appproject-crd.yaml'].map((f) => `${RAW}/argoproj/argo-cd/${ARGOCD_VERSION}/manifests/crds/${f}`);
  return [
    ...argo.map((url): Location => ({ type: 'url', url, groups: ['argoproj.io'] })),
    { type: 'url', url: `${RAW}/fluxcd/kustomize-controller/${KUSTOMIZE_CONTROLLER_VERSION}/config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml`, groups: ['kustomize.toolkit.fluxcd.io'] },
    ...['gitrepositories', 'helmrepositories', 'ocirepositories'].map(
      (k): Location => ({ type: 'url', url: `${RAW}/fluxcd/source-controller/${SOURCE_CONTROLLER_VERSION}/config/crd/bases/source.toolkit.fluxcd.io_${k}.yaml`, groups: ['source.toolkit.fluxcd.io'] }),
    ),
    { type: 'url', url: `${RAW}/fluxcd/helm-controller/${HELM_CONTROLLER_VERSION}/config/crd/bases/helm.toolkit.fluxcd.io_helmreleases.yaml`, groups: ['helm.toolkit.fluxcd.io'] },
    { type: 'url', url: `${RAW}/external-secrets/external-secrets/${EXTERNAL_SECRETS_VERSION}/config/crds/bases/external-secrets.io_externalsecrets.yaml`, groups: ['external-secrets.io'] },
  ];
}

/** The default locations for objects of an environment on KServe `version`. */
export async function defaultLocations(root: string, version: string): Promise<Location[]> {
  const vendored = join(resolve(root), vendorDir(version), LLMISVC_CRDS);
  const isDir = await stat(vendored).then((s) => s.isDirectory(), () => false);
  const kserve: Location[] = isDir ? [{ type: 'path', path: vendored }] : kserveCrdUrls(version).map((url) => ({ type: 'url', url, groups: ['serving.kserve.io'] }));
  return [...kserve, ...(await gatewayApiLocations(root, version)), ...deliveryCrdLocations()];
}

/** Gateway API CRDs (Gateway, GatewayClass, HTTPRoute) at the version KServe `version` pins: the vendored copy, else downloaded. */
async function gatewayApiLocations(root: string, version: string): Promise<Location[]> {
  const gw = pinnedVersion(version, 'gateway-api') ?? pinnedVersion('v0.20.0', 'gateway-api')!;
  const vendored = join(resolve(root), prerequisiteVendorDir('gateway-api', gw), 'config', 'crd', 'standard');
  if (await stat(vendored).then((s) => s.isDirectory(), () => false)) return [{ type: 'path', path: vendored }];
  return gatewayApiCrdUrls(gw).map((url) => ({ type: 'url', url, groups: ['gateway.networking.k8s.io'] }));
}

/** The standard-channel Gateway, GatewayClass and HTTPRoute CRDs of Gateway API `gw` at their upstream tag. */
export function gatewayApiCrdUrls(gw: string): string[] {
  return ['gateways', 'gatewayclasses', 'httproutes'].map((k) => `${RAW}/kubernetes-sigs/gateway-api/${gw}/config/crd/standard/gateway.networking.k8s.io_${k}.yaml`);
}
