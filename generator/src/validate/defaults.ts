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

/** Pinned delivery controller versions whose CRDs the default locations download. */
export const ARGOCD_VERSION = 'v3.5.1';
export const KUSTOMIZE_CONTROLLER_VERSION = 'v1.9.4';
export const SOURCE_CONTROLLER_VERSION = 'v1.9.1';

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
    { type: 'url', url: `${RAW}/fluxcd/source-controller/${SOURCE_CONTROLLER_VERSION}/config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml`, groups: ['source.toolkit.fluxcd.io'] },
  ];
}

/** The default locations for objects of an environment on KServe `version`. */
export async function defaultLocations(root: string, version: string): Promise<Location[]> {
  const vendored = join(resolve(root), vendorDir(version), LLMISVC_CRDS);
  const isDir = await stat(vendored).then((s) => s.isDirectory(), () => false);
  const kserve: Location[] = isDir ? [{ type: 'path', path: vendored }] : kserveCrdUrls(version).map((url) => ({ type: 'url', url, groups: ['serving.kserve.io'] }));
  return [...kserve, ...deliveryCrdLocations()];
}
