/**
 * validate/known-fields.ts: the unknown-field walk over built-in kinds spells a JSON pointer only
 * for an unknown field and descends into objects and arrays only; it gives exactly the errors, in
 * the order, of the plain walk it replaced (kept below as the reference) on rendered Jobs, PVCs,
 * ConfigMaps and their broken copies (an unknown field at every level, scalars where objects or
 * lists go, keys needing ~0/~1 escapes).
 */
import type { ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { loadRepository } from '../generator/src/catalog/repository.js';
import { renderTree } from '../generator/src/render/tree.js';
import { modelAttributes, unknownFields } from '../generator/src/validate/known-fields.js';
// @ts-expect-error: a plain .mjs script without types
import { benchCatalog } from '../scripts/bench-catalogs.mjs';
import { exampleCatalogs } from './helpers/repo.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const pointer = (key: string) => `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** The walk as it was: a pointer built for every field, every value descended into. */
async function reference(value: unknown, type: string, path = ''): Promise<ErrorObject[]> {
  const types = new Map<string, ReadonlyMap<string, string> | null>();
  const load = async (name: string) => {
    if (!types.has(name)) {
      const attrs = await modelAttributes(name);
      types.set(name, attrs ? new Map(attrs.map((a) => [a.baseName, a.type])) : null);
    }
    return types.get(name)!;
  };
  const errors: ErrorObject[] = [];
  const walk = async (v: unknown, t: string, p: string): Promise<void> => {
    if (t.startsWith('Array<')) {
      const item = /^Array<(.+)>$/.exec(t)?.[1];
      if (item === undefined || !Array.isArray(v)) return;
      for (let i = 0; i < v.length; i++) await walk(v[i], item, `${p}/${i}`);
      return;
    }
    if (t.startsWith('{')) {
      const item = /^\{ \[key: string\]: (.+); \}$/.exec(t)?.[1];
      if (item === undefined || !isObject(v)) return;
      for (const k of Object.keys(v)) await walk(v[k], item, p + pointer(k));
      return;
    }
    if (!isObject(v)) return;
    const byName = await load(t);
    if (byName === null) return;
    for (const key of Object.keys(v)) {
      const ft = byName.get(key);
      if (ft === undefined) errors.push({ instancePath: p, schemaPath: `#/${t}/additionalProperties`, keyword: 'additionalProperties', params: { additionalProperty: key }, message: 'must NOT have additional properties' });
      else await walk(v[key], ft, p + pointer(key));
    }
  };
  await walk(value, type, path);
  return errors;
}

/** The object, and for every object or list in it: an unknown field (with ~ and / in its name) added, and the value replaced by a scalar, a list of scalars and an empty object. */
function brokenCopies(o: Record<string, unknown>): unknown[] {
  const out: unknown[] = [o];
  const at = (v: unknown, path: readonly string[], to: (old: unknown) => unknown): unknown => {
    if (!path.length) return to(v);
    const [k, ...rest] = path as [string, ...string[]];
    if (Array.isArray(v)) return v.map((x, i) => (String(i) === k ? at(x, rest, to) : x));
    return { ...(v as Record<string, unknown>), [k]: at((v as Record<string, unknown>)[k], rest, to) };
  };
  const walk = (v: unknown, path: string[]) => {
    if (isObject(v)) {
      out.push(at(o, path, (x) => ({ ...(x as object), 'bogus~/field': { nested: 1 } })));
      for (const [k, c] of Object.entries(v)) walk(c, [...path, k]);
    } else if (Array.isArray(v)) v.forEach((c, i) => walk(c, [...path, String(i)]));
    if (path.length) for (const wrong of [7, ['x', 2], {}]) out.push(at(o, path, () => wrong));
  };
  walk(o, []);
  return out;
}

const MODELS: Record<string, string> = { Job: 'V1Job', PersistentVolumeClaim: 'V1PersistentVolumeClaim', ConfigMap: 'V1ConfigMap', Namespace: 'V1Namespace', ServiceAccount: 'V1ServiceAccount' };

describe('unknown-field walk', () => {
  it('gives the errors of the plain walk, in order, on rendered built-in objects and their broken copies', async () => {
    const loaded = loadRepository(Object.entries({ ...exampleCatalogs(true), env0: (benchCatalog as (env: string, n: number, o: object) => string)('env0', 12, { source: 'vendored' }) }).map(([env, text]) => ({ env, file: `environments/${env}/catalog.yaml`, text })));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const objects = renderTree(loaded.value).flatMap((f) => (f.objects ?? []) as Record<string, unknown>[]).filter((o) => o && MODELS[o.kind as string]);
    const kinds = new Set(objects.map((o) => o.kind));
    expect([...kinds]).toEqual(expect.arrayContaining(['Job', 'PersistentVolumeClaim', 'ConfigMap']));
    let copies = 0;
    let failing = 0;
    for (const o of objects.filter((x, i) => i % 3 === 0 || x.kind !== 'PersistentVolumeClaim')) {
      for (const c of brokenCopies(o)) {
        const want = await reference(c, MODELS[o.kind as string]!);
        expect(await unknownFields(c, MODELS[o.kind as string]!)).toStrictEqual(want);
        copies++;
        if (want.length) failing++;
      }
    }
    expect(copies).toBeGreaterThan(900);
    expect(failing).toBeGreaterThan(50);
    // A base path is kept in front of every pointer (objectMetaErrors' metadata walk).
    expect(await unknownFields({ labels: { a: 'b' }, 'x/y': 1 }, 'V1ObjectMeta', '/metadata')).toStrictEqual(await reference({ labels: { a: 'b' }, 'x/y': 1 }, 'V1ObjectMeta', '/metadata'));
  }, 60_000);
});
