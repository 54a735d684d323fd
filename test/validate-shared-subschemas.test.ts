/**
 * validate/shared-subschemas.ts: the LLMInferenceService schema compiled with its subschemas
 * shared (what `validate` runs) gives exactly the verdicts, errors and messages of the schema
 * compiled whole, one function (the reference), on hundreds of broken copies of KServe's samples.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DiskCache } from '../generator/src/validate/cache.js';
import { SchemaCompiler } from '../generator/src/validate/compile.js';
import { crdVersionSchemas, type JsonSchema } from '../generator/src/validate/crd-schema.js';
import { violations } from '../generator/src/validate/messages.js';
import { shareSubschemas } from '../generator/src/validate/shared-subschemas.js';
import type { ResourceResult } from '../generator/src/validate/result.js';
import { SchemaStore } from '../generator/src/validate/schema-store.js';
import { Validator } from '../generator/src/validate/validator.js';
import { brokenTree } from './helpers/broken-tree.js';
import { KSERVE_SRC, tempDir, UPSTREAM } from './helpers/repo.js';

const tmp = tempDir('llm-gitops-shared-subschemas-');
afterAll(() => tmp.cleanup());

const crdText = readFileSync(join(KSERVE_SRC, 'config', 'crd', 'full', 'llmisvc', 'serving.kserve.io_llminferenceservices.yaml'), 'utf8');
const schema = crdVersionSchemas(parseAllDocuments(crdText)[0]!.toJS() as JsonSchema).find((v) => v.version === 'v1alpha2')!.schema;

const samplesDir = join(KSERVE_SRC, 'samples');
const samples = readdirSync(samplesDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((f) => parseAllDocuments(readFileSync(join(samplesDir, f), 'utf8')).map((d) => d.toJS() as Record<string, unknown>))
  .filter((o) => o?.kind === 'LLMInferenceService')
  // Most samples are v1alpha1; checked against v1alpha2 as they are (what differs is more errors to compare).
  .map((o) => ({ ...o, apiVersion: 'serving.kserve.io/v1alpha2' }));

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const at = (v: Json, path: readonly string[], to: (old: Json) => Json): Json => {
  if (!path.length) return to(v);
  const [k, ...rest] = path as [string, ...string[]];
  if (Array.isArray(v)) return v.map((x, i) => (String(i) === k ? at(x, rest, to) : x));
  return { ...(v as Record<string, Json>), [k]: at((v as Record<string, Json>)[k], rest, to) };
};

/** Every sample, and for every value in it: an unknown field beside it, and its value replaced by each wrong kind of value. */
function brokenCopies(o: Record<string, Json>): Json[] {
  const out: Json[] = [o];
  const walk = (v: Json, path: string[]) => {
    if (isObject(v)) {
      out.push(at(o, path, (x) => ({ ...(x as object), bogusField: 1 })));
      for (const [k, c] of Object.entries(v)) walk(c, [...path, k]);
    } else if (Array.isArray(v)) v.forEach((c, i) => walk(c, [...path, String(i)]));
    if (path.length) for (const wrong of [true, 'x', 12.5, -1, [], {}, null]) out.push(at(o, path, () => wrong));
  };
  walk(o, []);
  return out;
}

const facts = (errors: readonly ErrorObject[] | null | undefined) => (errors ?? []).map(({ instancePath, keyword, params, message }) => ({ instancePath, keyword, params, message }));

describe('shared subschemas', () => {
  it('the LLMInferenceService schema shared: the same verdict, errors (but their schema path) and messages as compiled whole, on every broken copy of the samples', async () => {
    const shared = shareSubschemas(schema);
    expect(Object.keys(shared.definitions as object).length).toBeGreaterThan(20);
    expect(JSON.stringify(shared).length).toBeLessThan(JSON.stringify(schema).length / 4); // the pod template schema once, not four times
    expect(shareSubschemas(schema)).toStrictEqual(shared); // deterministic
    const cache = new DiskCache(join(tmp.dir, 'cache'));
    const whole = await new SchemaCompiler(cache, { shareSubschemas: false }).get(schema);
    const fast = await new SchemaCompiler(cache).get(schema);
    expect(fast).not.toBe(whole);

    expect(samples.length).toBeGreaterThanOrEqual(5);
    const objects = samples.flatMap(brokenCopies);
    let invalid = 0;
    let unions = 0;
    for (const o of objects) {
      const verdict = whole(o);
      const expected = facts(whole.errors);
      expect(fast(o)).toBe(verdict);
      expect(facts(fast.errors)).toStrictEqual(expected);
      expect(violations(fast.errors ?? [], () => undefined)).toStrictEqual(violations(whole.errors ?? [], () => undefined));
      if (!verdict) invalid++;
      if (expected.some((e) => e.keyword === 'anyOf')) unions++;
    }
    // The copies reach deep: unknown fields, wrong types, int-or-string unions, enums, patterns.
    expect(objects.length).toBeGreaterThan(1500);
    expect(invalid).toBeGreaterThan(objects.length * 0.6);
    expect(unions).toBeGreaterThan(50);
  }, 60_000);

  it('a rendered tree with broken objects: every verdict, message, line and column is the same through shared and whole validators, schema, CEL and webhook rules on', async () => {
    // Each LLMInferenceService again, broken: a schema error deep in the template, an unknown field, min above max (CEL), replicas beside scaling (CEL and webhook).
    const { files, broken } = brokenTree(8);
    // The llmisvc and Gateway API CRDs (Argo CD and Flux kinds are then "no schema" errors, the same both ways).
    const locations = [join(KSERVE_SRC, 'config', 'crd', 'full', 'llmisvc'), join(UPSTREAM, 'gateway-api', 'v1.5.1', 'config', 'crd', 'standard')].map((path) => ({ type: 'path' as const, path }));
    const cache = new DiskCache(join(tmp.dir, 'cache'));
    const run = async (shareSubschemas: boolean) => {
      const store = new SchemaStore(locations, cache);
      const warnings: string[] = [];
      const v = new Validator({ lookup: (a, k) => store.lookup(a, k), compiler: new SchemaCompiler(cache, { shareSubschemas }), describe: () => 'the pinned CRDs', kserveVersion: () => 'v0.20.0', onWarning: (file, line, msg) => warnings.push(`${file}:${line}: ${msg}`) });
      const results: ResourceResult[] = [];
      for (const f of [...files, ...broken]) results.push(...(await v.validateObjects(f.path, f.objects!, f.content)));
      return { results, warnings };
    };
    const fast = await run(true);
    const whole = await run(false);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(whole)); // byte-identical, order included
    const invalid = fast.results.filter((r) => r.status === 'invalid');
    expect(broken.length).toBeGreaterThan(20);
    expect(invalid.length).toBe(broken.length);
    const rules = new Set(invalid.flatMap((r) => r.validationErrors.map((e) => (e.rule ? e.rule.split(' ')[0] : e.msg))));
    expect([...rules]).toEqual(expect.arrayContaining(['unknown field (not in the schema)', 'must be string', 'must be integer or string', '!(has(self.replicas)', '!has(self.minReplicas)', 'kserve']));
  }, 60_000);

  it('leaves a schema with references of its own, or too small to share, as it is', () => {
    const withRef = { type: 'object', properties: { a: { $ref: '#/definitions/x' } }, definitions: { x: { type: 'string' } } };
    expect(shareSubschemas(withRef)).toBe(withRef);
    const small = { type: 'object', properties: { a: { type: 'string' } } };
    expect(shareSubschemas(small)).toBe(small);
    // A field named like a keyword is a field name, not a reference.
    const named = { type: 'object', properties: { definitions: { type: 'object', properties: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, { type: 'string' }])) } } };
    expect((shareSubschemas(named).properties as Record<string, unknown>).definitions).toStrictEqual({ $ref: '#/definitions/s0' });
  });
});
