/**
 * The CEL parse cache (admission/cel/compile.ts ParseStore, validate/cel-cache.ts): a parsed rule
 * decoded from the validate cache is the very tree the parser builds, for every rule of the CRDs
 * in ../shared, so planning and evaluating it cannot differ; an entry that is not the expression's
 * own is a miss and is rewritten.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@bufbuild/cel';
import { ParsedExprSchema } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { equals, fromBinary } from '@bufbuild/protobuf';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { admissionSchema, admit } from '../generator/src/admission/index.js';
import { compileExpression, parseStats, useParseStore } from '../generator/src/admission/cel/compile.js';
import { celParseStore } from '../generator/src/validate/cel-cache.js';
import { tempDir, UPSTREAM } from './helpers/repo.js';

type Raw = Record<string, unknown>;
const work = tempDir('llm-gitops-cel-cache-');
afterAll(() => work.cleanup());
afterEach(() => useParseStore(undefined));

/** Every rule and messageExpression text in the CRD files under `dir` (a plain text walk of the YAML). */
function expressionsIn(dir: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v as Raw)) {
        if (k === 'x-kubernetes-validations' && Array.isArray(x)) for (const r of x as Raw[]) out.push(...[r.rule, r.messageExpression].filter((e): e is string => typeof e === 'string'));
        else walk(x);
      }
  };
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...expressionsIn(p));
    else if (/\.ya?ml$/.test(name) && /kind:\s*CustomResourceDefinition/.test(readFileSync(p, 'utf8'))) {
      for (const doc of parseAllDocuments(readFileSync(p, 'utf8'), { version: '1.1' })) walk(doc.toJS());
    }
  }
  return out;
}
const yamlOf = (text: string): unknown => parseYaml(text, { version: '1.1' });

/** The llmisvc CRDs (which embed Gateway API HTTPRoute rules) and the Gateway API's own. */
const DIRS = ['kserve/v0.20.0/config/crd/full/llmisvc', 'gateway-api/v1.5.1/config/crd/standard'];

describe('CEL parse cache', () => {
  it('decodes, for every rule of the pinned CRDs, exactly the tree the parser builds', () => {
    const exprs = [...new Set(DIRS.flatMap((d) => expressionsIn(join(UPSTREAM, d))))];
    expect(exprs.length).toBeGreaterThan(50); // distinct rule and messageExpression texts
    const store = celParseStore(join(work.dir, 'all'))!;
    useParseStore(store);
    const before = { ...parseStats };
    for (const e of exprs) expect(compileExpression(e).error).toBeUndefined(); // parses and stores
    for (const e of exprs) expect(compileExpression(e).error).toBeUndefined(); // decodes
    expect(parseStats.parsed - before.parsed).toBe(exprs.length);
    expect(parseStats.decoded - before.decoded).toBe(exprs.length);
    for (const e of exprs) expect(equals(ParsedExprSchema, fromBinary(ParsedExprSchema, store.get(e)!), parse(e)), e).toBe(true);
  });

  it('gives the same verdicts from decoded rules (messageExpression included)', () => {
    const crd = yamlOf(readFileSync(join(UPSTREAM, DIRS[0]!, 'serving.kserve.io_llminferenceservices.yaml'), 'utf8')) as Raw;
    const version = ((crd.spec as Raw).versions as Raw[]).find((v) => v.name === 'v1alpha2')!;
    const tree = admissionSchema((version.schema as Raw).openAPIV3Schema as Raw)!;
    const obj = { apiVersion: 'serving.kserve.io/v1alpha2', kind: 'LLMInferenceService', metadata: { name: 'm', namespace: 'n' }, spec: { model: { uri: 'hf://a/b' }, replicas: 2, scaling: { minReplicas: 5, maxReplicas: 2, wva: { hpa: {}, keda: {} } } } };
    const plain = admit(obj, tree, 'cache-plain');
    expect(plain.violations.length).toBeGreaterThan(0);
    useParseStore(celParseStore(join(work.dir, 'verdicts')));
    const cold = admit(obj, tree, 'cache-cold');
    const decodedBefore = parseStats.decoded;
    const warm = admit(obj, tree, 'cache-warm'); // a new key: compiled again, from the store
    expect(parseStats.decoded).toBeGreaterThan(decodedBefore);
    expect(cold).toStrictEqual(plain);
    expect(warm).toStrictEqual(plain);
  });

  it('treats an entry holding another expression, a truncated or a garbage one as a miss, and rewrites it', () => {
    const dir = join(work.dir, 'hostile');
    const store = celParseStore(dir)!;
    useParseStore(store);
    const [a, b] = ['self.size() > 1', 'self.minReplicas <= self.maxReplicas'];
    compileExpression(a);
    compileExpression(b);
    const file = (e: string) => join(dir, 'cel', readdirSync(join(dir, 'cel')).find((f) => readFileSync(join(dir, 'cel', f)).includes(Buffer.from(e)))!);
    const fileB = file(b);
    writeFileSync(fileB, readFileSync(file(a))); // a's entry under b's name
    expect(store.get(b)).toBeUndefined();
    writeFileSync(fileB, readFileSync(fileB).subarray(0, 6)); // truncated
    expect(store.get(b)).toBeUndefined();
    const head = (n: number) => {
      const h = Buffer.alloc(4);
      h.writeUInt32BE(n, 0);
      return h;
    };
    writeFileSync(fileB, Buffer.concat([head(1000), Buffer.from(b)])); // a length past the end
    expect(store.get(b)).toBeUndefined();
    writeFileSync(fileB, Buffer.concat([head(Buffer.byteLength(b)), Buffer.from(b), Buffer.from([0xff, 0xff, 0xff, 0xff])])); // its own text, a garbage tree
    const parsedBefore = parseStats.parsed;
    const r = compileExpression(b);
    expect(r.error).toBeUndefined();
    expect(parseStats.parsed).toBe(parsedBefore + 1); // parsed again…
    expect(equals(ParsedExprSchema, fromBinary(ParsedExprSchema, store.get(b)!), parse(b))).toBe(true); // …and rewritten
    expect((r.program!({ self: { minReplicas: 1, maxReplicas: 2 } }) as unknown) === true).toBe(true);
  });
});
