/**
 * The pieces of `validate` on their own: CRD → JSON Schema conversion (kubeconform's rewrites),
 * the schema store's rules, the built-in kinds' strict check, error messages and report formats.
 * Real CRDs from ../shared where a real one shows the point.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { builtinValidator, objectMetaErrors, objectMetaNow } from '../generator/src/validate/builtin.js';
import { DiskCache } from '../generator/src/validate/cache.js';
import { SchemaCompiler } from '../generator/src/validate/compile.js';
import { crdVersionSchemas, toJsonSchema, type JsonSchema } from '../generator/src/validate/crd-schema.js';
import { jsonReport, junitReport, textReport } from '../generator/src/validate/report.js';
import { readResources } from '../generator/src/validate/resources.js';
import type { ResourceResult } from '../generator/src/validate/result.js';
import { SchemaStore } from '../generator/src/validate/schema-store.js';
import { renderTemplate } from '../generator/src/validate/template.js';
import { Validator } from '../generator/src/validate/validator.js';
import { kserveVersionOf } from '../generator/src/validate/versions.js';
import { DEFAULT_KSERVE_VERSION } from '../generator/src/model/kserve.js';
import type { Catalog } from '../generator/src/model/types.js';
import { KSERVE_SRC, tempDir } from './helpers/repo.js';

const tmp = tempDir('llm-gitops-validate-unit-');
afterAll(() => tmp.cleanup());
const cache = new DiskCache(join(tmp.dir, 'cache'));

const node = (s: JsonSchema, ...path: string[]): JsonSchema => path.reduce((n, p) => (n.properties as Record<string, JsonSchema>)[p]!, s);

describe('CRD → JSON Schema', () => {
  const schema = toJsonSchema({
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      spec: {
        type: 'object',
        description: 'dropped',
        properties: {
          port: { 'x-kubernetes-int-or-string': true },
          legacy: { type: 'string', format: 'int-or-string' },
          cpu: { anyOf: [{ type: 'integer' }, { type: 'string' }], pattern: '^[0-9]+m?$', 'x-kubernetes-int-or-string': true },
          open: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'string' } } },
          embedded: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
          ratio: { type: 'number', minimum: 0, exclusiveMinimum: true },
          name: { type: 'string', pattern: '(?i)^abc$' },
          size: { type: 'string', format: 'quantity' },
          count: { type: 'integer', format: 'int32', 'x-kubernetes-validations': [{ rule: 'self > 0' }] },
        },
      },
    },
  });

  it('closes every object below the root that lists properties; the root and preserve-unknown-fields nodes stay open', () => {
    expect(schema.additionalProperties).toBeUndefined();
    expect(node(schema, 'spec').additionalProperties).toBe(false);
    expect(node(schema, 'spec', 'open').additionalProperties).toBeUndefined();
    expect(node(schema, 'spec', 'embedded').additionalProperties).toBe(false);
    expect(Object.keys(node(schema, 'spec', 'embedded').properties as object).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
  });

  it('rewrites int-or-string, boolean exclusiveMinimum, unknown formats and RE2-only patterns; drops annotations', () => {
    const warnings: string[] = [];
    const s = toJsonSchema({ type: 'object', properties: { spec: { type: 'object', properties: { name: { type: 'string', pattern: '(?i)^abc$' } } } } }, warnings);
    expect(node(s, 'spec', 'name')).toEqual({ type: 'string' });
    expect(warnings).toEqual(['/spec/name: pattern "(?i)^abc$" is not a JavaScript regular expression (RE2-only syntax?); not checked']);
    expect(node(schema, 'spec', 'port')).toEqual({ anyOf: [{ type: 'integer' }, { type: 'string' }] });
    expect(node(schema, 'spec', 'legacy')).toEqual({ anyOf: [{ type: 'integer' }, { type: 'string' }] });
    expect(node(schema, 'spec', 'cpu')).toEqual({ anyOf: [{ type: 'integer' }, { type: 'string' }], pattern: '^[0-9]+m?$' });
    expect(node(schema, 'spec', 'ratio')).toEqual({ type: 'number', exclusiveMinimum: 0 });
    expect(node(schema, 'spec', 'size')).toEqual({ type: 'string' });
    expect(node(schema, 'spec', 'count')).toEqual({ type: 'integer', format: 'int32' });
    expect(node(schema, 'spec').description).toBeUndefined();
  });

  it('the compiled schema behaves like kubeconform -strict (plus int32 ranges)', async () => {
    const validate = await new SchemaCompiler(cache).get(schema);
    expect(validate({ apiVersion: 'x', extra: 1, spec: { port: 80, legacy: 'http', cpu: '500m', open: { anything: 1 }, count: 3 } })).toBe(true);
    expect(validate({ spec: { cpu: 4 } })).toBe(true); // the Quantity pattern applies to strings only
    expect(validate({ spec: { bogus: 1 } })).toBe(false);
    expect(validate({ spec: { port: true } })).toBe(false);
    expect(validate({ spec: { count: 2 ** 31 } })).toBe(false);
    expect(validate({ spec: { ratio: 0 } })).toBe(false);
  });

  it('gives one schema per served version of the real LLMInferenceService CRD; unserved versions and patches give none', () => {
    const file = join(KSERVE_SRC, 'config/crd/full/llmisvc/serving.kserve.io_llminferenceservices.yaml');
    const crd = parse(readFileSync(file, 'utf8')) as JsonSchema;
    const versions = crdVersionSchemas(crd);
    expect(versions.map((v) => `${v.group}/${v.version} ${v.kind}`)).toEqual(['serving.kserve.io/v1alpha1 LLMInferenceService', 'serving.kserve.io/v1alpha2 LLMInferenceService']);
    expect(versions.flatMap((v) => v.warnings)).toEqual([]);
    const spec = crd.spec as { versions: { served: boolean }[] };
    spec.versions[0]!.served = false;
    expect(crdVersionSchemas(crd).map((v) => v.version)).toEqual(['v1alpha2']);
    const patch = parse(readFileSync(join(KSERVE_SRC, 'config/crd/full/llmisvc/llmisvc_conversion_webhook_patch.yaml'), 'utf8')) as JsonSchema;
    expect(crdVersionSchemas(patch)).toEqual([]);
  });
});

describe('schema store', () => {
  it('two different definitions of one kind in a location are an error, not a pick (full and minimal KServe CRDs)', async () => {
    const store = new SchemaStore([{ type: 'path', path: join(KSERVE_SRC, 'config', 'crd') }], cache);
    // minimal/ opens v1alpha1's spec (x-kubernetes-preserve-unknown-fields) where full/ types it…
    const r = await store.lookup('serving.kserve.io/v1alpha1', 'LLMInferenceService');
    expect(r.found).toBeUndefined();
    expect(r.error).toMatch(/LLMInferenceService serving\.kserve\.io\/v1alpha1 is defined differently in .*full\/llmisvc\/serving\.kserve\.io_llminferenceservices\.yaml and .*minimal\/llmisvc\/serving\.kserve\.io_llminferenceservices\.yaml/);
    // …while their v1alpha2 schemas differ only in descriptions: one definition, no ambiguity.
    expect((await store.lookup('serving.kserve.io/v1alpha2', 'LLMInferenceService')).found?.source).toMatch(/full\/llmisvc\/serving\.kserve\.io_llminferenceservices\.yaml$/);
  });

  it('first location wins; a version the CRD does not serve is "not found" with a note; an unknown kind is not found', async () => {
    const dir = join(tmp.dir, 'crds');
    mkdirSync(dir, { recursive: true });
    const crd = (kind: string, versions: string[], marker: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: ${kind.toLowerCase()}s.example.com }
spec:
  group: example.com
  names: { kind: ${kind}, plural: ${kind.toLowerCase()}s }
  scope: Namespaced
  versions:
${versions.map((v) => `  - name: ${v}\n    served: true\n    storage: true\n    schema: { openAPIV3Schema: { type: object, properties: { spec: { type: object, properties: { ${marker}: { type: string } } } } } }`).join('\n')}
`;
    writeFileSync(join(dir, 'widget.yaml'), crd('Widget', ['v1'], 'first'));
    const second = join(tmp.dir, 'widget-2.yaml');
    writeFileSync(second, crd('Widget', ['v1', 'v2'], 'second'));
    const store = new SchemaStore([{ type: 'path', path: dir }, { type: 'path', path: second }], cache);
    const v1 = await store.lookup('example.com/v1', 'Widget');
    expect(Object.keys(node(v1.found!.schema, 'spec').properties as object)).toEqual(['first']);
    expect((await store.lookup('example.com/v2', 'Widget')).found?.source).toBe(second);
    expect(await store.lookup('example.com/v3', 'Widget')).toEqual({ note: expect.stringContaining('serves only v1') });
    expect(await store.lookup('example.com/v1', 'Gadget')).toEqual({});

    const validator = new Validator({ lookup: (v, k) => store.lookup(v, k), compiler: new SchemaCompiler(cache), describe: () => dir });
    const [gadget] = await validator.validateFile('x.yaml', 'apiVersion: example.com/v1\nkind: Gadget\nmetadata: { name: g }\n');
    expect(gadget).toMatchObject({ status: 'error', msg: `no schema for Gadget example.com/v1 in ${dir} or the built-in Kubernetes kinds` });
    const [widget] = await validator.validateFile('x.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: w, labels: { a: 1 } }\nspec: { first: x, second: y }\n');
    expect(widget!.status).toBe('invalid');
    // CRD schemas say only `metadata: {type: object}`; ObjectMeta is checked as the API server does.
    expect(widget!.validationErrors.map((e) => `${e.path}: ${e.msg}`)).toEqual(['/metadata/labels/a: must be string', '/spec/second: unknown field (not in the schema)']);
  });

  it('renders kubeconform template variables and refuses unknown ones', () => {
    const t = '{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}{{.KindSuffix}}{{ .StrictSuffix }}-{{ .NormalizedKubernetesVersion }}.json';
    expect(renderTemplate(t, { group: 'apps', version: 'v1', kind: 'Deployment' })).toBe('apps/deployment_v1-apps-v1-strict-master.json');
    expect(renderTemplate('{{ .ResourceKind }}{{ .KindSuffix }}', { group: '', version: 'v1', kind: 'Namespace' })).toBe('namespace-v1');
    expect(() => renderTemplate('{{ .Kind }}', { group: '', version: 'v1', kind: 'Namespace' })).toThrow(/unknown variable \.Kind/);
  });
});

describe('built-in kinds', () => {
  it('reject unknown fields at any depth, wrong types and missing required fields; accept a valid object', async () => {
    const job = (await builtinValidator('batch/v1', 'Job'))!;
    const ok = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: 1, memory: '1Gi' } } }] } } } };
    expect(await job(ok)).toEqual([]);
    const bad = structuredClone(ok) as typeof ok & { spec: { bogus?: number; backoffLimit?: unknown } };
    bad.spec.bogus = 1;
    bad.spec.backoffLimit = 'six';
    (bad.spec.template.spec.containers[0] as Record<string, unknown>).imagePullPolcy = 'Always';
    delete (bad.spec.template.spec.containers[0] as Record<string, unknown>).name;
    const paths = (await job(bad)).map((e) => `${e.instancePath} ${e.keyword} ${JSON.stringify(e.params)}`);
    expect(paths).toContain('/spec additionalProperties {"additionalProperty":"bogus"}');
    expect(paths).toContain('/spec/template/spec/containers/0 additionalProperties {"additionalProperty":"imagePullPolcy"}');
    expect(paths).toContain('/spec/backoffLimit type {"type":"integer"}');
    expect(paths).toContain('/spec/template/spec/containers/0 required {"missingProperty":"name"}');
  });

  it('covers the kinds the generator emits; a model that is no kind, or an unknown kind, has no built-in schema', async () => {
    for (const [v, k] of [['v1', 'Namespace'], ['v1', 'ServiceAccount'], ['v1', 'PersistentVolumeClaim'], ['v1', 'ConfigMap'], ['batch/v1', 'Job'], ['batch/v1', 'CronJob'], ['rbac.authorization.k8s.io/v1', 'Role'], ['rbac.authorization.k8s.io/v1', 'RoleBinding'], ['rbac.authorization.k8s.io/v1', 'ClusterRole'], ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding']] as const) {
      const validate = await builtinValidator(v, k);
      expect(validate, `${v} ${k}`).toBeDefined();
      expect(await validate!({ apiVersion: v, kind: k, metadata: { name: 'x', bogus: true } }), `${v} ${k}`).toContainEqual(expect.objectContaining({ instancePath: '/metadata', keyword: 'additionalProperties' }));
    }
    expect(await builtinValidator('v1', 'Container')).toBeUndefined();
    expect(await builtinValidator('v1', 'Widget')).toBeUndefined();
    expect(await builtinValidator('apps/v9', 'Deployment')).toBeUndefined();
  });

  it("checks any kind's metadata with ObjectMeta's own validator: the very errors a kind's validator gives for its metadata", async () => {
    const configMap = (await builtinValidator('v1', 'ConfigMap'))!;
    const cases: unknown[] = [
      { name: 'ok', labels: { a: 'b' } },
      { name: 7 },
      { labels: { a: 1 }, bogus: true, 'x/y~z': 1 },
      { annotations: 'x', finalizers: [1], ownerReferences: [{ bogus: 1 }] },
      { managedFields: [{ fieldsV1: { x: 1 }, extra: {} }], creationTimestamp: 'not a date', generation: 'one' },
      [],
      'x',
      null,
    ];
    let failing = 0;
    for (const m of cases) {
      const want = (await configMap({ apiVersion: 'v1', kind: 'ConfigMap', metadata: m })).filter((e) => e.instancePath.startsWith('/metadata'));
      expect(await objectMetaErrors(m), JSON.stringify(m)).toStrictEqual(want);
      expect(objectMetaNow(m), JSON.stringify(m)).toStrictEqual(want);
      if (want.length) failing++;
    }
    expect(failing).toBe(cases.length - 2); // all but the valid one and null (every kind takes `metadata: null`)
    expect(await objectMetaErrors(undefined)).toEqual([]);
  });
});

describe('reading objects from YAML', () => {
  it('splits documents and Lists, ignores empty documents, reads YAML 1.1, and turns bad documents into errors', async () => {
    const text = [
      '# only a comment',
      '---',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\ndata: { flag: on }',
      '---',
      'apiVersion: v1\nkind: List\nitems:\n- { apiVersion: v1, kind: ConfigMap, metadata: { name: b } }\n- just a string',
      '---',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\nmetadata: { name: d }',
      '---',
      '- a sequence',
      '',
    ].join('\n');
    const rs = readResources('f.yaml', text);
    expect(rs.map((r) => r.object?.metadata ?? r.error)).toEqual([
      { name: 'a' },
      { name: 'b' },
      'List item 1 is not a Kubernetes object',
      expect.stringMatching(/^cannot read YAML: Map keys must be unique/),
      'not a Kubernetes object (the document is not a mapping)',
    ]);
    // `on` is a boolean to Kubernetes' YAML 1.1 decoders, so a ConfigMap value written that way is invalid.
    expect(rs[0]!.object!.data).toEqual({ flag: true });
    expect(await (await builtinValidator('v1', 'ConfigMap'))!(rs[0]!.object)).toContainEqual(expect.objectContaining({ instancePath: '/data/flag', keyword: 'type' }));
    expect(rs[0]!.locate('/data/flag')).toEqual({ line: 6, col: 9 });
    expect(rs[1]!.locate('/metadata/name')).toEqual({ line: 11, col: 50 });
  });
});

describe('reports', () => {
  const results: ResourceResult[] = [
    { filename: 'a.yaml', line: 3, kind: 'Job', name: 'j', version: 'batch/v1', status: 'invalid', msg: '', validationErrors: [{ path: '/spec/template/spec/containers/0/bogus', msg: 'unknown field (not in the schema)', line: 9, col: 11 }, { path: '/metadata/labels/a~1b', msg: 'must be string' }] },
    { filename: 'a.yaml', kind: 'Widget', name: 'w<&>', version: 'example.com/v1', status: 'error', msg: 'no schema for Widget "example.com/v1"', validationErrors: [] },
    { filename: 'k.yaml', kind: 'Kustomization', name: '', version: 'kustomize.config.k8s.io/v1beta1', status: 'skipped', msg: 'kustomize build configuration', validationErrors: [] },
    { filename: 'n.yaml', kind: 'Namespace', name: 'n', version: 'v1', status: 'valid', msg: '', validationErrors: [] },
  ];

  it('text: one line per problem with file:line:col, object and dotted path, then the counts', () => {
    expect(textReport(results)).toBe(
      'a.yaml:9:11: Job/j: spec.template.spec.containers[0].bogus: unknown field (not in the schema)\n' +
        'a.yaml:3: Job/j: metadata.labels["a/b"]: must be string\n' +
        'a.yaml: Widget/w<&>: error: no schema for Widget "example.com/v1"\n' +
        '1 valid, 1 invalid, 1 errors, 1 skipped\n',
    );
  });

  it('json: kubeconform field names and statuses', () => {
    const j = JSON.parse(jsonReport(results));
    expect(j.summary).toEqual({ valid: 1, invalid: 1, errors: 1, skipped: 1 });
    expect(j.resources.map((r: { status: string }) => r.status)).toEqual(['statusInvalid', 'statusError', 'statusSkipped', 'statusValid']);
    expect(j.resources[0]).toMatchObject({ filename: 'a.yaml', kind: 'Job', name: 'j', version: 'batch/v1', msg: '', validationErrors: [{ path: '/spec/template/spec/containers/0/bogus', msg: 'unknown field (not in the schema)', line: 9, col: 11 }, { path: '/metadata/labels/a~1b', msg: 'must be string' }] });
  });

  it('junit: a suite per file, a case per object, escaped', () => {
    const x = junitReport(results);
    expect(x).toContain('<testsuites name="llm-gitops validate" tests="4" failures="1" errors="1" skipped="1">');
    expect(x).toContain('<testsuite name="a.yaml" tests="2" failures="1" errors="1" skipped="0">');
    expect(x).toContain('<testcase name="Widget/w&lt;&amp;&gt;" classname="example.com/v1 Widget">\n      <error message="no schema for Widget &quot;example.com/v1&quot;" type="ValidationError"/>');
    expect(x).toContain('<failure message="2 schema violation(s)" type="ValidationError">spec.template.spec.containers[0].bogus: unknown field (not in the schema)\nmetadata.labels[&quot;a/b&quot;]: must be string</failure>');
    expect(x).toContain('<testcase name="Kustomization" classname="kustomize.config.k8s.io/v1beta1 Kustomization">\n      <skipped message="kustomize build configuration"/>');
    expect(x).toContain('<testcase name="Namespace/n" classname="v1 Namespace"/>');
    expect(x.match(/<testsuite /g)).toHaveLength(3);
  });
});

describe("a file's KServe version", () => {
  it('is what the path expressions it replaced give, on every short path of hostile segments', () => {
    const envs = { e1: 'v0.19.0', a: 'v9.9.9', 'x y': 'v1.0.0' };
    const catalog = { environments: Object.entries(envs).map(([name, kserve]) => ({ name, platform: { kserve } })) } as unknown as Catalog;
    const byRegex = (file: string) => {
      const env = /^environments\/([^/]+)\//.exec(file)?.[1];
      const platform = /^(?:base|overlays\/[^/]+)\/(v[^/]+)\//.exec(file)?.[1];
      return (env && (envs as Record<string, string>)[env]) ?? platform ?? DEFAULT_KSERVE_VERSION;
    };
    const versionOf = kserveVersionOf(catalog);
    const parts = ['environments/', 'environments', 'base/', 'overlays/', 'e1', 'a', 'x y', '/', 'v1', 'b'];
    let n = 0;
    const each = (path: string, depth: number) => {
      expect([path, versionOf(path)]).toStrictEqual([path, byRegex(path)]);
      n++;
      if (depth) for (const p of parts) each(path + p, depth - 1);
    };
    each('', 4);
    expect(n).toBeGreaterThan(10_000);
    expect(versionOf('environments/e1/models/m.yaml')).toBe('v0.19.0');
    expect(versionOf('base/v0.18.0/kustomization.yaml')).toBe('v0.18.0');
    expect(versionOf('overlays/o/v0.17.0/x.yaml')).toBe('v0.17.0');
    expect(versionOf('environments/unknown/x.yaml')).toBe(DEFAULT_KSERVE_VERSION);
  });
});
