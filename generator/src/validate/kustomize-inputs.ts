/**
 * Files a kustomization reads as *input* rather than as resources: patches, generator sources,
 * transformer/generator configs, replacements. They are fragments or plugin configuration, never
 * applied as they are, so validating them as objects would be wrong; they are reported skipped,
 * with the kustomization and field that use them. Pure.
 */
import { posix } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { OutputFile } from '../render/output.js';
import { KUSTOMIZE_CONFIG_GROUP } from './validator.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/** The paths a Kustomization/Component names as inputs, with the field naming them. */
function inputsOf(k: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  const add = (field: string, paths: string[]) => paths.forEach((p) => out.push([field, p]));
  for (const p of Array.isArray(k.patches) ? k.patches : []) if (isObject(p)) add('patches', strings(p.path));
  for (const p of Array.isArray(k.patchesJson6902) ? k.patchesJson6902 : []) if (isObject(p)) add('patchesJson6902', strings(p.path));
  for (const r of Array.isArray(k.replacements) ? k.replacements : []) if (isObject(r)) add('replacements', strings(r.path));
  add('patchesStrategicMerge', strings(k.patchesStrategicMerge).filter((p) => !p.includes('\n')));
  for (const field of ['configMapGenerator', 'secretGenerator'] as const) {
    for (const g of Array.isArray(k[field]) ? k[field] : []) {
      if (!isObject(g)) continue;
      // `files` entries may be `key=path`.
      add(field, [...strings(g.files).map((f) => f.slice(f.indexOf('=') + 1)), ...strings(g.envs), ...strings(g.env)]);
    }
  }
  for (const field of ['transformers', 'generators', 'validators', 'configurations', 'crds'] as const) add(field, strings(k[field]));
  return out;
}

/** What `/(^|\/)kustomization\.ya?ml$/` matches, without running it on every file of the tree. */
export function isKustomization(path: string): boolean {
  const name = path.endsWith('.yaml') ? 'kustomization.yaml' : path.endsWith('.yml') ? 'kustomization.yml' : undefined;
  return name !== undefined && path.endsWith(name) && (path.length === name.length || path.charCodeAt(path.length - name.length - 1) === 47 /* / */);
}

/** Generated file path → why it is skipped, for every file a generated kustomization uses as input. */
export function kustomizeInputs(files: readonly OutputFile[]): Map<string, string> {
  let paths: Set<string> | undefined;
  const reasons = new Map<string, string>();
  for (const f of files) {
    if (!isKustomization(f.path)) continue;
    paths ??= new Set(files.map((g) => g.path));
    const docs = f.objects ?? parseAllDocuments(f.content, { version: '1.1' }).map((doc) => (doc.errors.length ? undefined : (doc.toJS() as unknown)));
    for (const k of docs) {
      if (!isObject(k) || typeof k.apiVersion !== 'string' || !k.apiVersion.startsWith(`${KUSTOMIZE_CONFIG_GROUP}/`)) continue;
      for (const [field, p] of inputsOf(k)) {
        const target = posix.normalize(posix.join(posix.dirname(f.path), p));
        if (paths.has(target) && !reasons.has(target)) reasons.set(target, `kustomize input (${field} of ${f.path}), not applied as an object`);
      }
    }
  }
  return reasons;
}
