/**
 * The admission walks' fast paths give what the plain ones give: the structural defaults
 * (planned once per schema node, pointers built only for what is added) against the plain walk
 * they replaced, and CEL's `self` converted on demand against the map converted up front, through
 * every real rule program of the llmisvc CRDs, on broken copies of KServe's samples and configs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCelError } from '@bufbuild/cel';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { compileRule, compileSchema, type CompiledNode } from '../generator/src/admission/cel/compile.js';
import { celPropertyName, celValue, evaluateRules } from '../generator/src/admission/cel/evaluate.js';
import { presenceRule } from '../generator/src/admission/cel/presence.js';
import { applyDefaults, plansMade } from '../generator/src/admission/drift/defaults.js';
import { isPlainPath, isRemote } from '../generator/src/admission/drift/delivered-by.js';
import { isKustomization } from '../generator/src/validate/kustomize-inputs.js';
import { admissionSchema, type AdmissionNode } from '../generator/src/admission/index.js';
import { BELOW_DEFAULTS, BELOW_RULES } from '../generator/src/admission/schema.js';
import { KSERVE_SRC } from './helpers/repo.js';

type Json = unknown;
type Obj = Record<string, Json>;
const isObject = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const escape = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

const trees = new Map<string, AdmissionNode>();
for (const f of ['serving.kserve.io_llminferenceservices.yaml', 'serving.kserve.io_llminferenceserviceconfigs.yaml']) {
  const crd = parseAllDocuments(readFileSync(join(KSERVE_SRC, 'config', 'crd', 'full', 'llmisvc', f), 'utf8'))[0]!.toJS() as Obj & { spec: { group: string; names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: Obj } }[] } };
  for (const v of crd.spec.versions) trees.set(`${crd.spec.group}/${v.name}|${crd.spec.names.kind}`, admissionSchema(v.schema.openAPIV3Schema)!);
}

const yamlUnder = (dir: string) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as Obj))
    .filter((o) => isObject(o) && trees.has(`${o.apiVersion}|${o.kind}`));
const originals = [...yamlUnder(join(KSERVE_SRC, 'samples')), ...yamlUnder(join(KSERVE_SRC, 'config', 'llmisvcconfig'))];

const at = (v: Json, path: readonly string[], to: (old: Json) => Json): Json => {
  if (!path.length) return to(v);
  const [k, ...rest] = path as [string, ...string[]];
  if (Array.isArray(v)) return v.map((x, i) => (String(i) === k ? at(x, rest, to) : x));
  const out = { ...(v as Obj), [k]: at((v as Obj)[k], rest, to) };
  if (out[k] === undefined) delete out[k];
  return out;
};
/** Each original, and for every value in it: removed, null, and each wrong kind of value (so defaults apply and rules fail). */
function brokenCopies(o: Obj): Obj[] {
  const out: Obj[] = [o];
  const walk = (v: Json, path: string[]) => {
    if (isObject(v)) for (const [k, c] of Object.entries(v)) walk(c, [...path, k]);
    else if (Array.isArray(v)) v.forEach((c, i) => walk(c, [...path, String(i)]));
    if (path.length > 1) for (const wrong of [undefined, null, true, 'x', '/', 0, -1, 12.5, [], {}]) out.push(at(o, path, () => wrong) as Obj);
  };
  walk(o, []);
  return out;
}
// Every 25th broken copy, every kind of break at every depth still present.
const corpus = originals.flatMap(brokenCopies).filter((_, i) => i % 25 === 0);

/** The defaults walk as it was: every node, every key, a pointer string at each step. */
function plainDefaults(node: AdmissionNode | undefined, value: Json): { value: Json; added: string[]; inListItems: string[] } {
  const added: string[] = [];
  const inList: string[] = [];
  const memo = new WeakMap<AdmissionNode, boolean>();
  const has = (n: AdmissionNode): boolean => {
    let h = memo.get(n);
    if (h === undefined) memo.set(n, (h = Object.values(n.p ?? {}).some((c) => c.d !== undefined || has(c)) || (!!n.m && has(n.m)) || (!!n.i && has(n.i))));
    return h;
  };
  const walk = (n: AdmissionNode | undefined, v: Json, path: string, listItem: boolean): Json => {
    if (!n || !has(n)) return v;
    if (Array.isArray(v)) {
      if (!n.i) return v;
      let copy: Json[] | undefined;
      v.forEach((item, idx) => {
        const next = walk(n.i, item, `${path}/${idx}`, true);
        if (next !== item) (copy ??= [...v])[idx] = next;
      });
      return copy ?? v;
    }
    if (!isObject(v)) return v;
    let copy: Obj | undefined;
    for (const [k, prop] of Object.entries(n.p ?? {})) {
      if (prop.d === undefined) continue;
      if (v[k] === undefined || (v[k] === null && !prop.n)) {
        (copy ??= { ...v })[k] = structuredClone(prop.d);
        added.push(`${path}/${escape(k)}`);
        if (listItem) inList.push(`${path}/${escape(k)}`);
      }
    }
    for (const [k, x] of Object.entries(copy ?? v)) {
      const child = n.p?.[k] ?? n.m;
      if (!child) continue;
      const next = walk(child, x, `${path}/${escape(k)}`, listItem);
      if (next !== x) (copy ??= { ...v })[k] = next;
    }
    return copy ?? v;
  };
  return { value: walk(node, value, '', false), added, inListItems: inList };
}

/** `self` as it was: the whole value converted up front. */
function eagerCel(node: AdmissionNode | undefined, v: Json): Json {
  if (typeof v === 'number') return node?.t === 'number' || !Number.isInteger(v) ? v : BigInt(v);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => eagerCel(node?.i, x));
  if (node?.m || !node?.p) return new Map(Object.entries(v).map(([k, x]) => [k, eagerCel(node?.m, x)]));
  return new Map(Object.entries(v).map(([k, x]) => [celPropertyName(k), eagerCel(node.p![k] ?? (node.u ? undefined : node.m), x)]));
}

/** Every value a rule node applies to, as the CEL walk visits them. */
function ruleSites(c: CompiledNode, v: Json, out: { c: CompiledNode; v: Json }[] = []): { c: CompiledNode; v: Json }[] {
  if (v === undefined || v === null || !c.hasRules) return out;
  if (c.rules.length) out.push({ c, v });
  if (Array.isArray(v)) {
    if (c.i) for (const x of v) ruleSites(c.i, x, out);
  } else if (isObject(v)) {
    for (const [k, child] of Object.entries(c.p ?? {})) if (k in v) ruleSites(child, v[k], out);
    if (c.m) for (const [k, x] of Object.entries(v)) if (!c.node.p?.[k]) ruleSites(c.m, x, out);
  }
  return out;
}
const outcome = (r: unknown) => (isCelError(r) ? { error: r.message } : { value: r });

describe('admission fast paths', () => {
  it('what the pruned tree says sits below each node (a default, a rule) is what walking it finds, and the walks answer the same without it', () => {
    const walkDefaults = (n: AdmissionNode): boolean => Object.values(n.p ?? {}).some((c) => c.d !== undefined || walkDefaults(c)) || (!!n.m && walkDefaults(n.m)) || (!!n.i && walkDefaults(n.i));
    const walkRules = (n: AdmissionNode): boolean => !!n.r?.length || Object.values(n.p ?? {}).some(walkRules) || (!!n.m && walkRules(n.m)) || (!!n.i && walkRules(n.i));
    const counts = { nodes: 0, defaults: 0, rules: 0 };
    const check = (n: AdmissionNode): void => {
      if (n.f === undefined) {
        expect(n).toEqual({}); // only an empty map value in a rule's scope carries nothing
        return;
      }
      counts.nodes++;
      if (n.f & BELOW_DEFAULTS) counts.defaults++;
      if (n.f & BELOW_RULES) counts.rules++;
      expect(n.f).toBe((walkDefaults(n) ? BELOW_DEFAULTS : 0) | (walkRules(n) ? BELOW_RULES : 0));
      for (const c of [...Object.values(n.p ?? {}), n.m, n.i]) if (c) check(c);
    };
    for (const tree of trees.values()) check(tree);
    expect(counts.nodes).toBeGreaterThan(20_000);
    expect(counts.defaults).toBeGreaterThan(100);
    expect(counts.rules).toBeGreaterThan(100);
    expect(counts.defaults + counts.rules).toBeLessThan(counts.nodes); // both ways: subtrees without either are there too
    // A tree without the flags (one made by hand, or cached by an older build) is walked: the same rules, the same defaults.
    const bare = (n: AdmissionNode): AdmissionNode => {
      const { f: _f, p, m, i, ...rest } = n;
      return { ...rest, ...(p ? { p: Object.fromEntries(Object.entries(p).map(([k, c]) => [k, bare(c)])) } : {}), ...(m ? { m: bare(m) } : {}), ...(i ? { i: bare(i) } : {}) };
    };
    for (const [key, tree] of trees) {
      const plain = bare(tree);
      expect(compileSchema(plain, `${key} without flags`).rules.map((r) => `${r.at} ${r.spec.rule}`)).toEqual(compileSchema(tree, key).rules.map((r) => `${r.at} ${r.spec.rule}`));
      for (const o of originals.filter((x) => `${x.apiVersion}|${x.kind}` === key)) expect(applyDefaults(plain, o)).toEqual(applyDefaults(tree, o));
    }
  });

  it('defaults: the planned walk adds the same fields, in the same order, to the same copies, as the plain walk', () => {
    expect(originals.length).toBeGreaterThanOrEqual(15);
    let defaulted = 0;
    for (const o of corpus) {
      const tree = trees.get(`${o.apiVersion}|${o.kind}`)!;
      const expected = plainDefaults(tree, o);
      const got = applyDefaults(tree, o);
      expect(got).toStrictEqual(expected);
      expect(got.value === o).toBe(expected.value === o); // copied exactly when something was added
      if (expected.added.length) defaulted++;
    }
    expect(defaulted).toBeGreaterThan(100); // removed and null values, in and outside list items
  });

  it('defaults: plans are made for the part of a schema the objects reach, not the whole schema up front', () => {
    // A fresh tree (plans are kept per node), so no earlier test has planned any of it.
    const crd = parseAllDocuments(readFileSync(join(KSERVE_SRC, 'config', 'crd', 'full', 'llmisvc', 'serving.kserve.io_llminferenceservices.yaml'), 'utf8'))[0]!.toJS() as { spec: { versions: { schema: { openAPIV3Schema: Obj } }[] } };
    const fresh = admissionSchema(crd.spec.versions[0]!.schema.openAPIV3Schema)!;
    const before = plansMade();
    const small = { apiVersion: 'serving.kserve.io/v1alpha1', kind: 'LLMInferenceService', metadata: { name: 'm' }, spec: { replicas: 1, model: { uri: 'hf://org/m' } } };
    expect(applyDefaults(fresh, small)).toStrictEqual(plainDefaults(fresh, small));
    const forSmall = plansMade() - before;
    // A pod template reaches far more of the schema (containers, ports, probes…).
    const withPod = { ...small, spec: { ...small.spec, template: { containers: [{ name: 'main', ports: [{ containerPort: 8000 }], readinessProbe: { httpGet: { port: 8000 } } }] } } };
    expect(applyDefaults(fresh, withPod)).toStrictEqual(plainDefaults(fresh, withPod));
    const forPod = plansMade() - before - forSmall;
    expect(forSmall).toBeGreaterThan(0);
    expect(forSmall).toBeLessThan(5);
    expect(forPod).toBeGreaterThan(forSmall);
  });

  it('CEL: every rule program gives the same result (and message) on `self` converted on demand as on the map converted up front', () => {
    let runs = 0;
    let failures = 0;
    for (const o of corpus) {
      const key = `${o.apiVersion}|${o.kind}`;
      const tree = trees.get(key)!;
      const value = applyDefaults(tree, o).value;
      for (const { c, v } of ruleSites(compileSchema(tree, `fast-paths ${key}`).root, value)) {
        for (const r of c.rules) {
          compileRule(r);
          if (!r.program || r.transition) continue;
          const lazy = r.program({ self: celValue(c.node, v) });
          const eager = r.program({ self: eagerCel(c.node, v) });
          expect(outcome(lazy)).toStrictEqual(outcome(eager));
          if (r.message) expect(outcome(r.message({ self: celValue(c.node, v) }))).toStrictEqual(outcome(r.message({ self: eagerCel(c.node, v) })));
          runs++;
          if (lazy !== true) failures++;
        }
      }
    }
    expect(runs).toBeGreaterThan(2000);
    expect(failures).toBeGreaterThan(50);
  });

  it('CEL: reading a name from `self` first (before anything else) gives what the map converted up front gives — present, escaped, reserved and absent names', () => {
    // A struct (properties) and a map (additionalProperties) holding keys Kubernetes CEL escapes,
    // a key that is its own escape, and a key whose value is undefined (a rendered object may hold one).
    const struct: AdmissionNode = { t: 'object', p: { namespace: { t: 'string' }, 'a-b': { t: 'integer' }, 'a.b': { t: 'string' }, 'a/b': { t: 'string' }, a__b: { t: 'string' }, in: { t: 'string' }, plain: { t: 'integer' }, 'x y': { t: 'string' }, gone: { t: 'string' } } };
    const map: AdmissionNode = { t: 'object', m: { t: 'integer' } };
    const json = { namespace: 'ns', 'a-b': 1, 'a.b': 'dot', 'a/b': 'slash', a__b: 'under', in: 'kw', plain: 2, 'x y': 'space', gone: undefined, a__dash__b: 'own escape' };
    const names = [...Object.keys(json), ...Object.keys(json).map(celPropertyName), '__namespace__', '__in__', 'a__dash__b', 'a__dot__b', 'a__slash__b', 'a__underscores__b', 'absent', 'namespac', '__proto__', 'constructor', 'toString', 2, 2n, true];
    let absent = 0;
    for (const node of [struct, map, undefined]) {
      for (const name of names) {
        const eager = eagerCel(node, json) as Map<unknown, unknown>;
        // A fresh value per name: the first read is the one that takes the fast path.
        const lazy = celValue(node, json) as Map<unknown, unknown>;
        const got = lazy.get(name as string);
        expect([name, got]).toStrictEqual([name, eager.get(name)]);
        expect([name, lazy.has(name as string)]).toStrictEqual([name, eager.has(name)]);
        if (eager.get(name) === undefined) absent++;
        // And after the value was read whole.
        expect([...(celValue(node, json) as Map<unknown, unknown>)]).toStrictEqual([...eager]);
      }
    }
    expect(absent).toBeGreaterThan(30);
    // Through a rule: has() on escaped, reserved and absent names of a struct.
    for (const [rule, want] of [
      ['has(self.__namespace__) && !has(self.absent)', true],
      ['has(self.a__dash__b) && self.a__dash__b == 1', true],
      ['has(self.a__underscores__b) && !has(self.a__b)', true],
      ['has(self.plain) && self.plain == 2 && !has(self.namespac)', true],
    ] as const) {
      const compiled = compileSchema({ ...struct, r: [{ rule }] }, `fast-paths names ${rule}`);
      const r = compiled.root.rules[0]!;
      compileRule(r);
      expect([rule, r.program!({ self: celValue(struct, json) })]).toStrictEqual([rule, want]);
    }
  });

  it('drift units: the path checks without regular expressions answer as the expressions they replaced, on every short path of hostile characters', () => {
    const PLAIN = /^(?:(?!\.\.?(?:\/|$))[^/]+\/)*(?!\.\.?$)[^/]+$/;
    const REMOTE = (ref: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) || /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(ref);
    const alphabet = ['a', '.', '/', ':'];
    let plain = 0;
    let n = 0;
    const each = (prefix: string, depth: number) => {
      expect([prefix, isPlainPath(prefix)]).toStrictEqual([prefix, PLAIN.test(prefix)]);
      expect([prefix, isRemote(prefix)]).toStrictEqual([prefix, REMOTE(prefix)]);
      if (PLAIN.test(prefix)) plain++;
      n++;
      if (depth) for (const c of alphabet) each(prefix + c, depth - 1);
    };
    each('', 7);
    for (const ref of ['models/m.yaml', '../base/x', 'a/./b', 'a/../b', '...', 'a/...', '.hidden/x', 'x/', '/x', 'a//b', 'https://github.com/o/r', 'HTTPS://x', 'git::https://x', 'github.com/o/r', 'gitlab.com/x', 'bitbucket.org/x', 'github.comx/y', '1https://x', 'a+b-c.d://x', 'x:/y']) {
      expect([ref, isPlainPath(ref), isRemote(ref)]).toStrictEqual([ref, PLAIN.test(ref), REMOTE(ref)]);
    }
    expect(n).toBeGreaterThan(20_000);
    expect(plain).toBeGreaterThan(1000);
  });

  it('kustomize inputs: the kustomization check without a regular expression answers as the expression, on hostile paths', () => {
    const KUSTOMIZATION = /(^|\/)kustomization\.ya?ml$/;
    const paths = ['kustomization.yaml', 'kustomization.yml', 'a/kustomization.yaml', 'a/b/kustomization.yml', 'akustomization.yaml', 'a/xkustomization.yaml', 'kustomization.yamll', 'kustomization.yaml/', 'kustomization.ya', 'kustomizationyaml', 'a/kustomization', '/kustomization.yaml', 'Kustomization.yaml', '.yaml', '.yml', 'yml', '', 'a/kustomization.yaml.yaml', 'kustomization.yaml\n', 'a\\kustomization.yaml'];
    for (const suffix of ['kustomization.yaml', 'kustomization.yml', 'ustomization.yaml']) for (const pre of ['', '/', 'x', 'x/', '//', '.']) paths.push(pre + suffix);
    for (const p of paths) expect([p, isKustomization(p)]).toStrictEqual([p, KUSTOMIZATION.test(p)]);
  });

  it("CEL presence rules (has(self.a), !, &&, ||) answer without CEL as CEL answers, on every combination of their fields", () => {
    // Every rule of the llmisvc CRDs with a shortcut, at its own schema node.
    const ruled: [CompiledNode, string][] = [];
    const collect = (c: CompiledNode) => {
      for (const r of c.rules) ruled.push([c, r.spec.rule]);
      for (const k of Object.values(c.p ?? {})) collect(k);
      if (c.m) collect(c.m);
      if (c.i) collect(c.i);
    };
    for (const [key, tree] of trees) collect(compileSchema(tree, key).root);
    const shortcut = ruled.filter(([, rule]) => presenceRule(rule));
    expect(new Set(shortcut.map(([, r]) => r)).size).toBeGreaterThanOrEqual(4);
    const handWritten = ['has(self.a)', '!has(self.a)', 'has(self.a) && has(self.b) || has(self.c)', 'has(self.a) || has(self.b) && has(self.c)', '!(has(self.a) || !has(self.b)) && ( has( self . c ) )', '!!has(self.a)', 'has(self.constructor) || has(self.toString)'];
    let compared = 0;
    for (const [c, rule] of [...shortcut, ...handWritten.map((r) => [{ node: { p: { a: {}, b: {}, c: {}, constructor: {}, toString: {} } } } as unknown as CompiledNode, r] as const)]) {
      const fields = [...new Set([...rule.matchAll(/has\(\s*self\s*\.\s*(\w+)\s*\)/g)].map((m) => m[1]!))];
      const r = { spec: { rule }, at: '', transition: false } as Parameters<typeof compileRule>[0];
      compileRule(r);
      expect(r.presence, rule).toBeDefined();
      // Each field absent, there but undefined, an object, null, 0 or false, beside an unrelated and an escaped key.
      const UNDEFINED = Symbol('undefined');
      const values: Json[] = [undefined, UNDEFINED, {}, null, 0, false];
      for (let n = 0; n < values.length ** fields.length; n++) {
        const self: Obj = { other: 1, 'a-b': 2 };
        fields.forEach((f, i) => {
          const v = values[Math.floor(n / values.length ** i) % values.length];
          if (v !== undefined) self[f] = v === UNDEFINED ? undefined : v;
        });
        const cel = r.program!({ self: celValue(c.node, self) });
        expect(isCelError(cel), rule).toBe(false);
        expect([rule, self, r.presence!(self)]).toStrictEqual([rule, self, cel]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
    // Only presence logic over plain names gets a shortcut; everything else runs in CEL.
    for (const rule of ['has(self.a.b)', 'has(self.__namespace__)', 'has(self.a__b)', 'has(self.namespace)', 'self.a', 'has(self.a) == true', '!has(self.a) || self.b > 0', '', 'has(self.a) &&', '(has(self.a)', 'has(self.a))', 'has(oldSelf.a)', 'has(self[0].a)', 'has(self.a) ? true : false']) {
      expect([rule, presenceRule(rule)]).toStrictEqual([rule, undefined]);
    }
  });

  it('a rule the shortcut finds broken is reported by CEL with its message, counted once', () => {
    const tree = { p: { spec: { p: { replicas: {}, scaling: {} }, r: [{ rule: '!(has(self.replicas) && has(self.scaling))', message: 'replicas and scaling are mutually exclusive' }] } } } as unknown as AdmissionNode;
    const schema = compileSchema(tree, 'presence-broken');
    const ok = evaluateRules(schema, { spec: { replicas: 1 } });
    expect(schema.rules[0]!.presence).toBeDefined();
    expect(ok).toEqual({ violations: [], counts: { evaluated: 1, transition: 0, uncompiled: 0 } });
    expect(evaluateRules(schema, { spec: { replicas: 1, scaling: {} } })).toEqual({
      violations: [{ path: '/spec', msg: 'Invalid value: replicas and scaling are mutually exclusive', reason: 'FieldValueInvalid', rule: '!(has(self.replicas) && has(self.scaling))' }],
      counts: { evaluated: 1, transition: 0, uncompiled: 0 },
    });
  });
});
