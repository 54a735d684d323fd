/** Kustomization objects: only the fields we use, resources in a stable order. */
import type { JsonObject } from '../model/types.js';

export interface KustomizationParts {
  readonly kind?: 'Kustomization' | 'Component';
  readonly namespace?: string;
  readonly resources?: readonly string[];
  readonly components?: readonly string[];
  readonly images?: readonly JsonObject[];
  readonly patches?: readonly JsonObject[];
  readonly replacements?: readonly JsonObject[];
  readonly labels?: readonly JsonObject[];
  readonly commonAnnotations?: Readonly<Record<string, string>>;
}

export function kustomization(p: KustomizationParts): JsonObject {
  const kind = p.kind ?? 'Kustomization';
  return {
    apiVersion: kind === 'Component' ? 'kustomize.config.k8s.io/v1alpha1' : 'kustomize.config.k8s.io/v1beta1',
    kind,
    ...(p.namespace ? { namespace: p.namespace } : {}),
    ...(p.resources?.length ? { resources: [...p.resources] } : {}),
    ...(p.components?.length ? { components: [...p.components] } : {}),
    ...(p.images?.length ? { images: [...p.images] } : {}),
    ...(p.patches?.length ? { patches: [...p.patches] } : {}),
    ...(p.replacements?.length ? { replacements: [...p.replacements] } : {}),
    ...(p.labels?.length ? { labels: [...p.labels] } : {}),
    ...(p.commonAnnotations && Object.keys(p.commonAnnotations).length ? { commonAnnotations: { ...p.commonAnnotations } } : {}),
  };
}

/** kustomize `images:` entry from "name → replacement" (replacement: name[:tag] or name@digest). */
export function imageOverride(name: string, replacement: string): JsonObject {
  const at = replacement.indexOf('@');
  if (at >= 0) return { name, newName: replacement.slice(0, at), digest: replacement.slice(at + 1) };
  const colon = replacement.lastIndexOf(':');
  const hasTag = colon > replacement.lastIndexOf('/');
  const newName = hasTag ? replacement.slice(0, colon) : replacement;
  return { name, ...(newName !== name ? { newName } : {}), ...(hasTag ? { newTag: replacement.slice(colon + 1) } : {}) };
}
