/**
 * Two rendered trees → which generated objects were added, removed or changed, and where.
 * Objects are compared as data (comments and the header do not count), keyed by file, kind
 * and name, so a reviewer sees "LLMInferenceService opt-125m added" rather than a file list.
 * Pure.
 */
import { parseAllDocuments } from 'yaml';
import type { OutputFile } from '../render/output.js';

export interface ObjectChange {
  /** The environment whose folder holds the file; undefined for base/ and overlays/. */
  readonly env?: string;
  readonly path: string;
  readonly kind: string;
  /** metadata.name; undefined for objects without one (a kustomization). */
  readonly name?: string;
  readonly action: 'added' | 'removed' | 'changed';
  /** For `changed`: the first few dotted paths that differ (`spec.replicas`). */
  readonly fields: readonly string[];
}

interface Obj {
  readonly kind: string;
  readonly name?: string;
  readonly data: unknown;
}

const FIELDS_MAX = 5;

function objectsOf(f: OutputFile): Map<string, Obj> {
  const out = new Map<string, Obj>();
  parseAllDocuments(f.content, { version: '1.1' }).forEach((doc, i) => {
    const data = doc.toJS() as Record<string, unknown> | null;
    if (data === null || typeof data !== 'object') return;
    const kind = typeof data.kind === 'string' ? data.kind : 'document';
    const meta = data.metadata as { name?: unknown } | undefined;
    const name = typeof meta?.name === 'string' ? meta.name : undefined;
    out.set(`${kind}/${name ?? `#${i}`}`, { kind, ...(name !== undefined ? { name } : {}), data });
  });
  return out;
}

/** Dotted paths where `a` and `b` differ, depth-first, at most `max`. */
export function differingPaths(a: unknown, b: unknown, max = FIELDS_MAX, at = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const bothObjects = a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b);
  if (!bothObjects) return [at || '(document)'];
  const [x, y] = [a as Record<string, unknown>, b as Record<string, unknown>];
  const out: string[] = [];
  for (const key of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
    if (out.length >= max) break;
    out.push(...differingPaths(x[key], y[key], max - out.length, at ? `${at}.${key}` : key));
  }
  return out;
}

function envOf(path: string): string | undefined {
  return /^environments\/([^/]+)\//.exec(path)?.[1];
}

/** Every object-level change from `before` to `after`, in path order. */
export function compareTrees(before: readonly OutputFile[], after: readonly OutputFile[]): ObjectChange[] {
  const [a, b] = [new Map(before.map((f) => [f.path, f])), new Map(after.map((f) => [f.path, f]))];
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out: ObjectChange[] = [];
  for (const path of paths) {
    const [fa, fb] = [a.get(path), b.get(path)];
    if (fa?.content === fb?.content) continue;
    if (!/\.ya?ml$/.test(path)) continue; // READMEs hold no objects (the unified diff shows them)
    const [oa, ob] = [fa ? objectsOf(fa) : new Map<string, Obj>(), fb ? objectsOf(fb) : new Map<string, Obj>()];
    const env = envOf(path);
    for (const key of [...new Set([...oa.keys(), ...ob.keys()])].sort()) {
      const [x, y] = [oa.get(key), ob.get(key)];
      const o = (x ?? y)!;
      const base = { ...(env ? { env } : {}), path, kind: o.kind, ...(o.name !== undefined ? { name: o.name } : {}) };
      if (!x) out.push({ ...base, action: 'added', fields: [] });
      else if (!y) out.push({ ...base, action: 'removed', fields: [] });
      else {
        const fields = differingPaths(x.data, y.data);
        if (fields.length) out.push({ ...base, action: 'changed', fields });
      }
    }
  }
  return out;
}
