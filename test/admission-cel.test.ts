/**
 * CEL admission (generator/src/admission/cel): every `x-kubernetes-validations` rule of the real
 * CRDs in ../shared compiled and counted, the llmisvc rules KServe v0.20.0 enforces evaluated on
 * real objects, and one test per CEL feature the rules (or the Kubernetes libraries) use.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { admissionSchema, admit, countRules, schemaRules, type AdmissionNode } from '../generator/src/admission/index.js';
import { KSERVE_SRC, UPSTREAM } from './helpers/repo.js';

type Raw = Record<string, unknown>;

function crdsIn(dir: string): Raw[] {
  const out: Raw[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...crdsIn(p));
    else if (/\.ya?ml$/.test(name)) {
      const text = readFileSync(p, 'utf8');
      if (!/kind:\s*CustomResourceDefinition/.test(text)) continue;
      for (const d of parseAllDocuments(text, { version: '1.1' })) {
        const o = d.toJS() as Raw | null;
        if (o?.kind === 'CustomResourceDefinition' && (o.spec as Raw | undefined)?.versions) out.push(o);
      }
    }
  }
  return out;
}
/** Rules counted by a plain walk of the raw schema, independent of the pruning under test. */
function rawRuleCount(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + rawRuleCount(x), 0);
  if (!v || typeof v !== 'object') return 0;
  return Object.entries(v as Raw).reduce((n, [k, x]) => n + (k === 'x-kubernetes-validations' && Array.isArray(x) ? x.length : rawRuleCount(x)), 0);
}
const versions = (crd: Raw) => ((crd.spec as Raw).versions as Raw[]).map((v) => ({ name: String(v.name), tree: admissionSchema((v.schema as Raw).openAPIV3Schema as Raw) }));
const LLMISVC_DIR = join(KSERVE_SRC, 'config', 'crd', 'full', 'llmisvc');
const llmisvcCrds = crdsIn(LLMISVC_DIR);
const treeOf = (kind: string, version = 'v1alpha2') => {
  const crd = llmisvcCrds.find((c) => ((c.spec as Raw).names as Raw).kind === kind)!;
  return versions(crd).find((v) => v.name === version)!.tree!;
};

describe('CEL rules of the pinned CRDs', () => {
  it('compiles every rule of both llmisvc CRDs (237 and 221 over their two versions)', () => {
    const counts = Object.fromEntries(
      llmisvcCrds.map((crd) => {
        const kind = String(((crd.spec as Raw).names as Raw).kind);
        const per = versions(crd).map((v) => schemaRules(v.tree!, `${kind}/${v.name}`));
        return [kind, { total: per.reduce((n, r) => n + r.total, 0), compiled: per.reduce((n, r) => n + r.compiled, 0), transition: per.reduce((n, r) => n + r.transition, 0), failed: per.flatMap((r) => r.failed) }];
      }),
    );
    expect(counts).toEqual({
      LLMInferenceService: { total: 237, compiled: 237, transition: 0, failed: [] },
      LLMInferenceServiceConfig: { total: 221, compiled: 221, transition: 0, failed: [] },
    });
  });

  it('compiles every rule of the Gateway API, Argo CD and Flux CRDs, counting the transition rules apart', () => {
    let total = 0;
    let compiled = 0;
    let transition = 0;
    const dirs = [join(UPSTREAM, 'gateway-api', 'v1.5.1', 'config', 'crd', 'standard'), join(UPSTREAM, 'argo-cd'), join(UPSTREAM, 'kustomize-controller'), join(UPSTREAM, 'source-controller')];
    for (const crd of dirs.flatMap(crdsIn)) {
      for (const v of versions(crd)) {
        if (!v.tree) continue;
        const r = schemaRules(v.tree, `${String(crd.metadata && (crd.metadata as Raw).name)}/${v.name}/${JSON.stringify(v.tree).length}`);
        expect(r.failed, `${String((crd.metadata as Raw).name)} ${v.name}`).toEqual([]);
        expect(r.total).toBe(countRules(v.tree));
        expect(r.total).toBe(rawRuleCount(((crd.spec as Raw).versions as Raw[]).find((x) => x.name === v.name)!.schema));
        total += r.total;
        compiled += r.compiled;
        transition += r.transition;
      }
    }
    expect(total).toBeGreaterThan(250);
    expect(compiled).toBe(total);
    expect(transition).toBeGreaterThan(0);
  });
});

const llmisvc = (spec: Raw) => ({ apiVersion: 'serving.kserve.io/v1alpha2', kind: 'LLMInferenceService', metadata: { name: 'm', namespace: 'ns' }, spec: { model: { uri: 'hf://org/m' }, ...spec } });
const run = (obj: unknown, kind = 'LLMInferenceService') => admit(obj, treeOf(kind), `${kind}/v1alpha2`);
const messages = (obj: unknown) => run(obj).violations.map((v) => `${v.path}: ${v.msg}`);

describe('the llmisvc rules KServe v0.20.0 enforces at the API server', () => {
  it('passes a plain model and the router KServe fills in', () => {
    const r = run(llmisvc({ replicas: 2, router: { route: {}, gateway: {}, scheduler: {} } }));
    expect(r.violations).toEqual([]);
    expect(r.counts.evaluated).toBeGreaterThan(0);
  });
  it('refuses replicas together with scaling', () => {
    expect(messages(llmisvc({ replicas: 2, scaling: { maxReplicas: 3, wva: { hpa: {} } } }))).toEqual(['/spec: Invalid value: replicas and scaling are mutually exclusive; use scaling for autoscaled deployments or replicas for static deployments']);
  });
  it('refuses minReplicas above maxReplicas, hpa with keda, and scaling without wva', () => {
    expect(messages(llmisvc({ scaling: { minReplicas: 5, maxReplicas: 2, wva: { hpa: {} } } }))).toEqual(['/spec/scaling: Invalid value: minReplicas cannot exceed maxReplicas']);
    expect(messages(llmisvc({ scaling: { maxReplicas: 2, wva: { hpa: {}, keda: {} } } }))).toEqual(['/spec/scaling/wva: Invalid value: hpa and keda are mutually exclusive; choose one actuator backend']);
    expect(messages(llmisvc({ scaling: { maxReplicas: 2 } }))).toEqual(['/spec/scaling: Invalid value: wva is required when scaling is configured; it provides the autoscaling mechanism']);
  });
  it('uses the structural default minReplicas: 1 (as the API server validates the defaulted object)', () => {
    const r = run(llmisvc({ scaling: { maxReplicas: 2, wva: { keda: { idleReplicaCount: 1 } } } }));
    expect(r.defaulted).toContain('/spec/scaling/minReplicas');
    expect(r.violations.map((v) => v.msg)).toEqual(['Invalid value: idleReplicaCount must be less than minReplicas; idleReplicaCount defines the replica floor when no triggers are active']);
  });
  it('refuses duplicate InferencePool targetPorts (list macros all + exists_one)', () => {
    const pool = (ports: number[]) => llmisvc({ router: { scheduler: { pool: { spec: { selector: { matchLabels: { a: 'b' } }, targetPorts: ports.map((number) => ({ number })), endpointPickerRef: { name: 'epp', port: { number: 9002 } } } } } } });
    expect(run(pool([8000, 8001])).violations).toEqual([]);
    expect(messages(pool([8000, 8000]))).toEqual(['/spec/router/scheduler/pool/spec/targetPorts: Invalid value: port number must be unique']);
  });
  it('refuses an HTTPRoute PathPrefix without a leading slash (embedded Gateway API rules, regex)', () => {
    const route = (value: string) => llmisvc({ router: { route: { http: { spec: { rules: [{ matches: [{ path: { type: 'PathPrefix', value } }] }] } } } } });
    expect(run(route('/v1')).violations).toEqual([]);
    const bad = run(route('v1')).violations;
    expect(bad.length).toBeGreaterThan(0);
    expect(bad[0]!.path).toBe('/spec/router/route/http/spec/rules/0/matches/0/path');
    expect(bad.map((v) => v.msg).join('\n')).toMatch(/value must be an absolute path and start with '\/' when type one of \['Exact', 'PathPrefix'\]/);
  });
});

/** A one-field CRD schema around `field`, with `rules` at the root of spec. */
function schema(props: Raw, rules: Raw[]): AdmissionNode {
  return admissionSchema({ type: 'object', properties: { spec: { type: 'object', properties: props, 'x-kubernetes-validations': rules } } })!;
}
let n = 0;
const check = (tree: AdmissionNode, spec: unknown) => admit({ spec }, tree, `synthetic-${n++}`);

describe('CEL features', () => {
  it('quantity comparison (Kubernetes quantity library)', () => {
    const tree = schema({ memory: { 'x-kubernetes-int-or-string': true }, limit: { type: 'string' } }, [{ rule: "quantity(string(self.memory)).isLessThan(quantity(self.limit)) && quantity('1Gi').compareTo(quantity('1024Mi')) == 0", message: 'memory must stay under the limit' }]);
    expect(check(tree, { memory: '512Mi', limit: '1Gi' }).violations).toEqual([]);
    expect(check(tree, { memory: '1.5Gi', limit: '1Gi' }).violations.map((v) => v.msg)).toEqual(['Invalid value: memory must stay under the limit']);
    expect(check(tree, { memory: 2000000000, limit: '1G' }).violations).toHaveLength(1); // int-or-string as an int
    expect(check(tree, { memory: '500m', limit: '1' }).violations).toEqual([]);
  });
  it('regex: matches and find', () => {
    const tree = schema({ name: { type: 'string' } }, [{ rule: "self.name.matches('^[a-z]+-v[0-9]+$') && self.name.find('[0-9]+') != ''" }]);
    expect(check(tree, { name: 'qwen-v2' }).violations).toEqual([]);
    expect(check(tree, { name: 'Qwen' }).violations.map((v) => v.msg)).toEqual([`Invalid value: failed rule: self.name.matches('^[a-z]+-v[0-9]+$') && self.name.find('[0-9]+') != ''`]);
  });
  it('list macros: all, exists, exists_one, filter, map, and the lists library', () => {
    const tree = schema({ ports: { type: 'array', items: { type: 'integer' } } }, [{ rule: 'self.ports.all(p, p > 0) && self.ports.exists(p, p == 80) && self.ports.exists_one(p, p == 443) && self.ports.filter(p, p > 1000).size() <= 1 && self.ports.map(p, p * 2).max() < 20000 && self.ports.isSorted()' }]);
    expect(check(tree, { ports: [80, 443, 8080] }).violations).toEqual([]);
    expect(check(tree, { ports: [80, 443, 443] }).violations).toHaveLength(1);
    expect(check(tree, { ports: [443, 80] }).violations).toHaveLength(1);
    expect(check(tree, { ports: [80, 443, 8080, 9000] }).violations).toHaveLength(1);
  });
  it('messageExpression, fieldPath and reason', () => {
    const tree = schema({ replicas: { type: 'integer' } }, [{ rule: 'self.replicas <= 8', messageExpression: "'replicas is ' + string(self.replicas) + ', at most 8'", fieldPath: '.replicas', reason: 'FieldValueForbidden' }]);
    expect(check(tree, { replicas: 9 }).violations).toEqual([{ path: '/spec/replicas', msg: 'Forbidden: replicas is 9, at most 8', reason: 'FieldValueForbidden', rule: 'self.replicas <= 8' }]);
    expect(check(tree, { replicas: 8 }).violations).toEqual([]);
  });
  it('has() on optional fields, reserved property names, and a rule per list item', () => {
    const tree = admissionSchema({
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { refs: { type: 'array', items: { type: 'object', properties: { namespace: { type: 'string' }, 'max-size': { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: "!has(self.__namespace__) || self.__namespace__ != 'kube-system'", message: 'not kube-system' }, { rule: '!has(self.max__dash__size) || self.max__dash__size < 10', message: 'too big' }] } } },
        },
      },
    })!;
    expect(check(tree, { refs: [{}, { namespace: 'a', 'max-size': 3 }] }).violations).toEqual([]);
    expect(check(tree, { refs: [{ namespace: 'a' }, { namespace: 'kube-system', 'max-size': 12 }] }).violations.map((v) => `${v.path} ${v.msg}`)).toEqual(['/spec/refs/1 Invalid value: not kube-system', '/spec/refs/1 Invalid value: too big']);
  });
  it('a rule that cannot evaluate refuses the object (no such key), as the API server does', () => {
    const tree = schema({ a: { type: 'object', properties: { b: { type: 'integer' } } } }, [{ rule: 'self.a.b > 0' }]);
    expect(check(tree, { a: {} }).violations[0]!.msg).toMatch(/fails to evaluate/);
  });
  it('transition rules (oldSelf) are skipped at create, and counted', () => {
    const tree = schema({ a: { type: 'string' } }, [{ rule: 'self.a == oldSelf.a', message: 'immutable' }, { rule: "self.a != ''" }]);
    const r = check(tree, { a: 'x' });
    expect(r.violations).toEqual([]);
    expect(r.counts).toEqual({ evaluated: 1, transition: 1, uncompiled: 0 });
    expect(schemaRules(tree, 'synthetic-transition')).toMatchObject({ total: 2, compiled: 2, transition: 1 });
  });
  it('url and ip libraries', () => {
    const tree = schema({ endpoint: { type: 'string' }, addr: { type: 'string' } }, [{ rule: "isURL(self.endpoint) && url(self.endpoint).getScheme() == 'https' && isIP(self.addr) && ip(self.addr).family() == 4 && !isIP('01.2.3.4')" }]);
    expect(check(tree, { endpoint: 'https://otel:4317/v1', addr: '10.0.0.1' }).violations).toEqual([]);
    expect(check(tree, { endpoint: 'http://otel:4317', addr: '10.0.0.1' }).violations).toHaveLength(1);
    expect(check(tree, { endpoint: 'https://otel', addr: '::1' }).violations).toHaveLength(1);
  });
});
