/**
 * The storage-initializer image KServe's llmisvc controller injects comes from the JSON text in
 * `inferenceservice-config` `data.storageInitializer` ("image" : "kserve/storage-initializer:latest"
 * upstream), not from the ClusterStorageContainer the `images:` pin reaches. A kustomize
 * replacement we author copies the (pinned) ClusterStorageContainer image into that JSON: the text
 * split on `"` has the image value as its fourth part. Nothing of upstream's config is copied, and
 * an environment's `images:` override of kserve/storage-initializer (standalone mode) reaches both.
 */
import type { JsonObject } from '../model/types.js';

export const STORAGE_INITIALIZER_IMAGE = 'kserve/storage-initializer';

/** The `replacements:` entry of a kustomization that builds both objects. */
export function storageInitializerReplacement(): JsonObject {
  return {
    source: { kind: 'ClusterStorageContainer', name: 'default', fieldPath: 'spec.container.image' },
    targets: [{ select: { kind: 'ConfigMap', name: 'inferenceservice-config' }, fieldPaths: ['data.storageInitializer'], options: { delimiter: '"', index: 3 } }],
  };
}
