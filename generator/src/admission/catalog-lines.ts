/**
 * A field of a rendered object → the catalog key that introduced its value, so an admission
 * problem is reported at the catalog's file:line:col. The escape hatch is followed exactly as
 * render/merge.ts merged it (maps by key, lists of named items by `name`, other lists by index);
 * fields the renderer made from short keys map to those keys; anything else falls back to the
 * deepest catalog key on the way (at worst the model's own key). Pure.
 */
import type { PathKey } from '../catalog/document.js';
import type { Json } from '../model/types.js';

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNamedList = (v: unknown): v is Record<string, Json>[] => Array.isArray(v) && v.length > 0 && v.every((i) => isObject(i) && typeof i.name === 'string');

/** Rendered spec fields and the model short key that produced them. */
const SHORT_KEYS: Readonly<Record<string, string>> = {
  replicas: 'replicas',
  scaling: 'autoscaling',
  parallelism: 'tensorParallel',
  router: 'router',
  prefill: 'prefill',
  baseRefs: 'presets',
  'model/uri': 'uri',
  'model/name': 'name',
};

export function pointerSegments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The catalog path of `pointer` (into the rendered object) for an object rendered from
 * `base` (`['models', name]` or `['presets', name]`) with escape hatch `spec` and rendered `obj`.
 * `present` says which model keys the catalog wrote (for the short-key fallback).
 */
export function catalogPathOf(base: readonly PathKey[], spec: Json | undefined, obj: unknown, pointer: string, present: (key: string) => boolean): PathKey[] {
  const segs = pointerSegments(pointer);
  if (segs[0] === 'metadata' && (segs[1] === 'annotations' || segs[1] === 'labels') && segs[2] !== undefined && present(segs[1])) return [...base, segs[1], segs[2]];
  if (segs[0] !== 'spec') return [...base];
  const rest = segs.slice(1);
  const path: PathKey[] = [...base];
  let cur: Json | undefined = spec;
  let rendered: unknown = isObject(obj) ? obj.spec : undefined;
  let followed = 0;
  if (cur !== undefined) path.push('spec');
  for (const seg of rest) {
    if (isObject(cur) && seg in cur) {
      path.push(seg);
      cur = cur[seg];
      rendered = isObject(rendered) ? rendered[seg] : undefined;
    } else if (Array.isArray(cur) && Array.isArray(rendered)) {
      const idx = Number(seg);
      const item = rendered[idx];
      let j = idx < cur.length ? idx : -1;
      if (isNamedList(cur) && isObject(item)) {
        // Merged by name: the k-th rendered item of a name came from the k-th patch item of it.
        const k = rendered.slice(0, idx).filter((x) => isObject(x) && x.name === item.name).length;
        j = cur.map((p, i) => (p.name === item.name ? i : -1)).filter((i) => i >= 0)[k] ?? -1;
      }
      if (j < 0) break;
      path.push(j);
      cur = cur[j];
      rendered = item;
    } else break;
    followed++;
  }
  if (followed > 0) return path;
  // Not from the escape hatch: the short key that made it, if the catalog wrote one.
  for (const [field, key] of Object.entries(SHORT_KEYS)) {
    if (`${rest.join('/')}/`.startsWith(`${field}/`) && present(key)) return [...base, key];
  }
  return cur !== undefined ? path : [...base];
}
