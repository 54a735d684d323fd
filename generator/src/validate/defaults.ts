/**
 * The schema locations `validate` searches after the given ones (or where `--schema-location
 * default` stands; none with `--no-default-locations`):
 * the pinned KServe llmisvc CRDs — the vendored copy when `llm-gitops vendor` made one, else
 * downloaded for the pinned tag — and the Argo CD and Flux CRDs of the versions this tool
 * targets, each downloaded once into the cache (or put there by `vendor --crds`). Each URL is
 * consulted only for the kinds its file defines, so a run without Argo CD objects never
 * downloads Argo CD's CRDs, and one with Applications only never needs the AppProject CRD.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { vendorDir } from '../render/platform.js';
import type { Location } from './location.js';
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

/** A pinned CRD file: consulted only for the kinds it defines (so one kind never needs another's file). */
const pinned = (url: string, group: string, ...kinds: string[]): Location => ({ type: 'url', url, groups: [group], kinds });

/** Argo CD, Flux and External Secrets CRDs (pinned), as kind-scoped URL locations. */
export function deliveryCrdLocations(): Location[] {
  const argo = `${RAW}/argoproj/argo-cd/${ARGOCD_VERSION}/manifests/crds`;
  const source = `${RAW}/fluxcd/source-controller/${SOURCE_CONTROLLER_VERSION}/config/crd/bases/source.toolkit.fluxcd.io`;
  return [
    pinned(`${argo}/application-crd.yaml`, 'argoproj.io', 'Application'),
    pinned(`${argo}/applicationset-crd.yaml`, 'argoproj.io', 'ApplicationSet'),
    pinned(`${argo}/appproject-crd.yaml`, 'argoproj.io', 'AppProject'),
    pinned(`${RAW}/fluxcd/kustomize-controller/${KUSTOMIZE_CONTROLLER_VERSION}/config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml`, 'kustomize.toolkit.fluxcd.io', 'Kustomization'),
    pinned(`${source}_gitrepositories.yaml`, 'source.toolkit.fluxcd.io', 'GitRepository'),
    pinned(`${source}_helmrepositories.yaml`, 'source.toolkit.fluxcd.io', 'HelmRepository'),
    pinned(`${source}_ocirepositories.yaml`, 'source.toolkit.fluxcd.io', 'OCIRepository'),
    pinned(`${RAW}/fluxcd/helm-controller/${HELM_CONTROLLER_VERSION}/config/crd/bases/helm.toolkit.fluxcd.io_helmreleases.yaml`, 'helm.toolkit.fluxcd.io', 'HelmRelease'),
    pinned(`${RAW}/external-secrets/external-secrets/${EXTERNAL_SECRETS_VERSION}/config/crds/bases/external-secrets.io_externalsecrets.yaml`, 'external-secrets.io', 'ExternalSecret'),
  ];
}

/** The default locations for objects of an environment on KServe `version`. */
export async function defaultLocations(root: string, version: string): Promise<Location[]> {
  const [vendored] = vendoredCrdDirs(root, version) as [string, string];
  const isDir = await stat(vendored).then((s) => s.isDirectory(), () => false);
  const [svc, cfg] = kserveCrdUrls(version) as [string, string];
  const kserve: Location[] = isDir ? [{ type: 'path', path: vendored }] : [pinned(svc, 'serving.kserve.io', 'LLMInferenceService'), pinned(cfg, 'serving.kserve.io', 'LLMInferenceServiceConfig')];
  return [...kserve, ...(await gatewayApiLocations(root, version)), ...deliveryCrdLocations()];
}

/** Gateway API CRDs (Gateway, GatewayClass, HTTPRoute) at the version KServe `version` pins: the vendored copy, else downloaded. */
async function gatewayApiLocations(root: string, version: string): Promise<Location[]> {
  const gw = gatewayApiVersion(version);
  const [, vendored] = vendoredCrdDirs(root, version) as [string, string];
  if (await stat(vendored).then((s) => s.isDirectory(), () => false)) return [{ type: 'path', path: vendored }];
  const [gateways, classes, routes] = gatewayApiCrdUrls(gw) as [string, string, string];
  return [pinned(gateways, 'gateway.networking.k8s.io', 'Gateway'), pinned(classes, 'gateway.networking.k8s.io', 'GatewayClass'), pinned(routes, 'gateway.networking.k8s.io', 'HTTPRoute')];
}

const gatewayApiVersion = (version: string) => pinnedVersion(version, 'gateway-api') ?? pinnedVersion('v0.20.0', 'gateway-api')!;

/**
 * The two vendored folders the defaults of KServe `version` use when they exist (the llmisvc
 * CRDs, the Gateway API CRDs), else they download: what validate's run manifest must watch.
 */
export function vendoredCrdDirs(root: string, version: string): string[] {
  return [join(resolve(root), vendorDir(version), LLMISVC_CRDS), join(resolve(root), prerequisiteVendorDir('gateway-api', gatewayApiVersion(version)), 'config', 'crd', 'standard')];
}

/** The standard-channel Gateway, GatewayClass and HTTPRoute CRDs of Gateway API `gw` at their upstream tag. */
export function gatewayApiCrdUrls(gw: string): string[] {
  return ['gateways', 'gatewayclasses', 'httproutes'].map((k) => `${RAW}/kubernetes-sigs/gateway-api/${gw}/config/crd/standard/gateway.networking.k8s.io_${k}.yaml`);
}
