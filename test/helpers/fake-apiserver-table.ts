/**
 * Server-side printing (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`), as kubectl get
 * asks for it: Name plus the CRD's additionalPrinterColumns, evaluated with the small JSONPath
 * subset CRDs use (`.a.b`, `[*]`, `[N]`, `[?(@.k=='v')]`), dates shown as ages.
 */
import type { ResourceType } from './fake-apiserver-types.js';
import type { Obj } from './fake-apiserver-store.js';

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept.split(',')[0] ?? '');
}

type Step = { field: string } | { all: true } | { index: number } | { key: string; value: string };

function steps(path: string): Step[] {
  const out: Step[] = [];
  const re = /\.([A-Za-z0-9_-]+)|\[\*\]|\[(\d+)\]|\[\?\(@\.([A-Za-z0-9_.-]+)\s*==\s*["']([^"']*)["']\)\]/g;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) out.push({ field: m[1] });
    else if (m[2] !== undefined) out.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) out.push({ key: m[3], value: m[4] ?? '' });
    else out.push({ all: true });
  }
  return out;
}

/** Every value the path selects from `obj`. */
export function jsonPath(obj: unknown, path: string): unknown[] {
  let cur: unknown[] = [obj];
  for (const s of steps(path)) {
    const next: unknown[] = [];
    for (const v of cur) {
      if ('field' in s) {
        if (v && typeof v === 'object' && s.field in v) next.push((v as Record<string, unknown>)[s.field]);
      } else if (Array.isArray(v)) {
        if ('all' in s) next.push(...v);
        else if ('index' in s) v[s.index] !== undefined && next.push(v[s.index]);
        else next.push(...v.filter((x) => x && typeof x === 'object' && String((x as Record<string, unknown>)[s.key]) === s.value));
      }
    }
    cur = next;
  }
  return cur;
}

function age(ts: string): string {
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

function cell(obj: Obj, col: ResourceType['columns'][number]): unknown {
  const values = jsonPath(obj, col.jsonPath);
  if (!values.length) return null;
  if (col.type === 'date' && typeof values[0] === 'string') return age(values[0]);
  if (values.length === 1 && typeof values[0] !== 'object') return values[0];
  return values.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',');
}

export function table(type: ResourceType, items: readonly Obj[], metadata: object): object {
  const columns = type.columns.length ? type.columns : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
      ...columns.map((c) => ({ name: c.name, type: c.type, format: '', description: c.name, priority: c.priority ?? 0 })),
    ],
    rows: items.map((o) => ({
      cells: [o.metadata.name, ...columns.map((c) => cell(o, c))],
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
