/**
 * base/ and overlays/: the KServe llmisvc platform, one folder per pinned KServe version in use.
 * Upstream content is never copied here: kustomizations point at the upstream tag (remote) or
 * at the copy `llm-gitops vendor` made under base/vendor (vendored).
 *
 *   base/<v>/crds             LLMInferenceService(+Config) CRDs with their conversion webhooks
 *   base/<v>/controller       controller, webhooks, cert, RBAC, bundled GIE CRDs (llmisvc CRDs removed)
 *   base/<v>/shared           KServe's shared resources: namespace, inferenceservice-config, Issuer,
 *                             ClusterStorageContainer (+ CRD) — owned by standalone installs only
 *   base/<v>/llmisvc-configs  the well-known LLMInferenceServiceConfigs, synced after the controller
 *   overlays/standalone/<v>   crds + controller + shared (upstream overlays/standalone/llmisvc)
 *   overlays/addons/<v>       crds + controller, for clusters where KServe core already runs
 *                             (upstream overlays/addons/llmisvc)
 * The overlays add what GitOps needs: server-side apply and no pruning for CRDs, sync waves,
 * skip-dry-run for custom resources whose CRD arrives in the same sync.
 */
import { STORAGE_INITIALIZER_IMAGE, storageInitializerReplacement } from './storage-initializer.js';
import { KSERVE_NAMESPACE, KSERVE_REPO } from '../model/kserve.js';
import type { Environment, JsonObject, PlatformMode, PlatformSource } from '../model/types.js';
import { imageOverride, kustomization } from './kustomization.js';
import type { OutputFile } from './output.js';
import { stringify, yamlDocs } from './yaml.js';

export interface PlatformPin {
  readonly version: string;
  readonly source: PlatformSource;
  readonly modes: readonly Exclude<PlatformMode, 'none'>[];
}

export const vendorDir = (version: string) => `base/vendor/kserve/${version}`;

/** Path of an upstream `config/` folder as seen from the kustomization in `fromDir`. */
export function upstream(pin: Pick<PlatformPin, 'version' | 'source'>, fromDir: string, sub: string): string {
  if (pin.source === 'remote') return `${KSERVE_REPO}//config/${sub}?ref=${pin.version}`;
  const up = fromDir.split('/').map(() => '..').join('/');
  return `${up}/${vendorDir(pin.version)}/config/${sub}`;
}

/** Which versions/sources/modes the environments need (mode none needs nothing). */
export function platformPins(envs: readonly Environment[]): PlatformPin[] {
  const pins = new Map<string, { version: string; source: PlatformSource; modes: Set<Exclude<PlatformMode, 'none'>> }>();
  for (const e of envs) {
    if (e.platform.mode === 'none') continue;
    const pin = pins.get(e.platform.kserve) ?? { version: e.platform.kserve, source: e.platform.source, modes: new Set() };
    pin.modes.add(e.platform.mode);
    pins.set(e.platform.kserve, pin);
  }
  return [...pins.values()]
    .sort((a, b) => (a.version < b.version ? -1 : 1))
    .map((p) => ({ version: p.version, source: p.source, modes: [...p.modes].sort() }));
}

const SOURCE = 'the catalogs';

/** Argo CD / Flux annotations that make CRDs safe to sync: server-side apply, never pruned or deleted. */
const CRD_ANNOTATIONS = {
  'argocd.argoproj.io/sync-wave': '-1',
  'argocd.argoproj.io/sync-options': 'ServerSideApply=true,Prune=false,Delete=false',
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
};

/** Kept when pruned or when the Application goes: what a mode switch must not take away. */
const KEEP = 'Prune=false,Delete=false';
const SHARED_ANNOTATIONS = { 'argocd.argoproj.io/sync-options': KEEP, 'kustomize.toolkit.fluxcd.io/prune': 'disabled' };

/** Custom resources whose CRD may not exist when Argo CD dry-runs the first sync. */
const SKIP_DRY_RUN = { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' };

function annotate(kind: string, apiVersion: string, annotations: Record<string, string>): JsonObject {
  return {
    target: { kind },
    patch: yamlPatch({ apiVersion, kind, metadata: { name: 'any', annotations } }),
  };
}

function yamlPatch(obj: JsonObject): string {
  return stringify(obj);
}

function file(path: string, obj: JsonObject): OutputFile {
  return { path, ...yamlDocs(SOURCE, obj) };
}

export function renderPlatform(pin: PlatformPin): OutputFile[] {
  const v = pin.version;
  const files: OutputFile[] = [];
  const crds = `base/${v}/crds`;
  const controller = `base/${v}/controller`;
  const configs = `base/${v}/llmisvc-configs`;
  files.push(file(`${crds}/kustomization.yaml`, kustomization({ resources: [upstream(pin, crds, 'crd/full/llmisvc')] })));
  files.push(
    file(
      `${controller}/kustomization.yaml`,
      kustomization({
        resources: [upstream(pin, controller, 'llmisvc')],
        // The llmisvc CRDs come from ../crds so that they can be synced (and protected) on their own.
        patches: ['llminferenceservices.serving.kserve.io', 'llminferenceserviceconfigs.serving.kserve.io'].map((name) => ({
          patch: yamlPatch({ $patch: 'delete', apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name } }),
        })),
        // Upstream kustomize ships :latest; pin the controller to the KServe tag.
        images: [imageOverride('kserve/llmisvc-controller', `kserve/llmisvc-controller:${v}`)],
      }),
    ),
  );
  files.push(
    file(
      `${configs}/kustomization.yaml`,
      kustomization({
        resources: [upstream(pin, configs, 'llmisvcconfig')],
        // After the controller (its webhooks admit configs); never pruned: KServe's webhook denies
        // deleting well-known configs while services use them.
        commonAnnotations: {
          'argocd.argoproj.io/sync-wave': '1',
          'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true,Prune=false',
          'kustomize.toolkit.fluxcd.io/prune': 'disabled',
        },
      }),
    ),
  );
  if (pin.modes.includes('standalone')) {
    const shared = `base/${v}/shared`;
    files.push(
      file(
        `${shared}/kustomization.yaml`,
        kustomization({
          namespace: KSERVE_NAMESPACE,
          resources: [upstream(pin, shared, 'base'), upstream(pin, shared, 'crd/full/clusterstoragecontainer')],
          images: [imageOverride(STORAGE_INITIALIZER_IMAGE, `${STORAGE_INITIALIZER_IMAGE}:${v}`)],
          replacements: [storageInitializerReplacement()],
        }),
      ),
    );
  }
  for (const mode of pin.modes) files.push(...renderOverlay(pin, mode));
  return files;
}

function renderOverlay(pin: PlatformPin, mode: Exclude<PlatformMode, 'none'>): OutputFile[] {
  const v = pin.version;
  const dir = `overlays/${mode}/${v}`;
  const patches: JsonObject[] = [
    annotate('CustomResourceDefinition', 'apiextensions.k8s.io/v1', CRD_ANNOTATIONS),
    annotate('Certificate', 'cert-manager.io/v1', SKIP_DRY_RUN),
  ];
  if (mode === 'standalone') {
    // KServe's shared resources outlive a switch to addons (or none): the controller namespace
    // holds the controller of the next mode, KServe core reads inferenceservice-config and
    // issues with the Issuer. Never pruned, never deleted — like the CRDs.
    patches.push(annotate('Namespace', 'v1', SHARED_ANNOTATIONS));
    patches.push({ ...annotate('ConfigMap', 'v1', SHARED_ANNOTATIONS), target: { kind: 'ConfigMap', name: 'inferenceservice-config' } });
    patches.push(annotate('Issuer', 'cert-manager.io/v1', { ...SHARED_ANNOTATIONS, 'argocd.argoproj.io/sync-options': `SkipDryRunOnMissingResource=true,${KEEP}` }));
    patches.push(annotate('ClusterStorageContainer', 'serving.kserve.io/v1alpha1', { ...SHARED_ANNOTATIONS, 'argocd.argoproj.io/sync-options': `SkipDryRunOnMissingResource=true,${KEEP}` }));
    // Cluster-scoped, but kustomize stamps the namespace of base/<v>/shared on it.
    patches.push({ target: { kind: 'ClusterStorageContainer' }, patch: stringify([{ op: 'remove', path: '/metadata/namespace' }]) });
  }
  return [
    file(
      `${dir}/kustomization.yaml`,
      kustomization({
        // No `namespace:` here: the bases set kserve, and a namespace transformer would run after
        // the patches above and re-stamp the cluster-scoped ClusterStorageContainer.
        resources: [`../../../base/${v}/crds`, `../../../base/${v}/controller`, ...(mode === 'standalone' ? [`../../../base/${v}/shared`] : [])],
        patches,
      }),
    ),
  ];
}
