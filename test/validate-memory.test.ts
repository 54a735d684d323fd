/**
 * `validate` checks the objects the renderer holds instead of reading its own output back. This
 * proves the two are the same thing: every rendered file's objects equal what its text reads back
 * as (document by document, with the same start lines), and validating the in-memory objects
 * gives exactly the verdicts — messages, lines and columns included — that validating the text
 * gives, for valid files and for objects broken on purpose.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRepository } from '../generator/src/catalog/repository.js';
import type { OutputFile } from '../generator/src/render/output.js';
import { renderTree } from '../generator/src/render/tree.js';
import { yamlDocs } from '../generator/src/render/yaml.js';
import { DiskCache } from '../generator/src/validate/cache.js';
import { SchemaCompiler } from '../generator/src/validate/compile.js';
import { documentLines, readObjects, readResources } from '../generator/src/validate/resources.js';
import { SchemaStore } from '../generator/src/validate/schema-store.js';
import { Validator } from '../generator/src/validate/validator.js';
// @ts-expect-error: a plain .mjs script without types
import { benchCatalog } from '../scripts/bench-catalogs.mjs';
import { exampleCatalogs, PROJECT, tempDir, UPSTREAM } from './helpers/repo.js';

const fixture = (name: string) => readFileSync(join(PROJECT, 'test', 'fixtures', 'catalogs', name), 'utf8');
const catalogs: Record<string, string> = {
  ...exampleCatalogs(true),
  edge: fixture('edge.yaml'),
  shared: fixture('unmanaged-platform.yaml'),
  env0: (benchCatalog as (env: string, n: number, o: object) => string)('env0', 5, { source: 'vendored' }),
  env1: (benchCatalog as (env: string, n: number, o: object) => string)('env1', 5, { source: 'vendored' }),
};

function render(texts: Record<string, string>): OutputFile[] {
  const loaded = loadRepository(Object.entries(texts).map(([env, text]) => ({ env, file: `environments/${env}/catalog.yaml`, text })));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  return renderTree(loaded.value);
}

const tmp = tempDir('llm-gitops-validate-memory-');
afterAll(() => tmp.cleanup());
function validator(): Validator {
  const locations = [
    join(UPSTREAM, 'kserve', 'v0.20.0', 'config', 'crd', 'full', 'llmisvc'),
    join(UPSTREAM, 'argo-cd', 'v3.5.1', 'manifests', 'crds'),
    join(UPSTREAM, 'kustomize-controller', 'v1.9.4', 'config', 'crd'),
    join(UPSTREAM, 'source-controller', 'v1.9.1', 'config', 'crd'),
  ].map((path) => ({ type: 'path' as const, path }));
  const cache = new DiskCache(join(tmp.dir, 'cache'));
  const store = new SchemaStore(locations, cache);
  return new Validator({ lookup: (v, k) => store.lookup(v, k), compiler: new SchemaCompiler(cache), describe: () => 'the pinned CRDs' });
}

const files = render(catalogs);
const yamlFiles = files.filter((f) => f.path.endsWith('.yaml'));

describe('validate on in-memory objects', () => {
  it('every rendered YAML file carries its objects, and they read back from its text equal, at the same lines', () => {
    expect(yamlFiles.length).toBeGreaterThan(100);
    for (const f of yamlFiles) {
      expect(f.objects, f.path).toBeDefined();
      const fromText = readResources(f.path, f.content);
      const fromMemory = readObjects(f.path, f.objects!, f.content);
      expect(fromMemory, f.path).toBeDefined();
      expect(fromMemory!.map((r) => [r.index, r.line, r.error])).toEqual(fromText.map((r) => [r.index, r.line, r.error]));
      // Strict: an `undefined` field in memory (which the emitter drops) would be a difference.
      expect(fromMemory!.map((r) => r.object)).toStrictEqual(fromText.map((r) => r.object));
    }
  });

  it("finds each document's first line where the parser does, with and without a `---` anywhere in the text", () => {
    const texts = [
      '# header\n# more\napiVersion: v1\nkind: A\n',
      '\n\n# c\n\napiVersion: v1\nkind: A',
      'apiVersion: v1\nkind: A\ndata: { x: "a---b" }\n',
      'apiVersion: v1\nkind: A\ndata:\n  x: |\n    ----\n    --- x\n',
      '# h\napiVersion: v1\nkind: A\n---\n# c\napiVersion: v1\nkind: B\n---\napiVersion: v1\nkind: C\n',
      'apiVersion: v1\nkind: A\n---',
    ];
    for (const t of texts) expect(documentLines(t), t).toEqual(readResources('x.yaml', t).map((r) => r.line));
  });

  it('gives the same verdicts as validating the text, for the whole tree', async () => {
    const v = validator();
    for (const f of yamlFiles) {
      const memory = await v.validateObjects(f.path, f.objects!, f.content);
      const text = await v.validateFile(f.path, f.content);
      expect(memory, f.path).toEqual(text);
    }
  });

  it('locates a failing object by parsing its text: same violations, lines and columns as before', async () => {
    const v = validator();
    const model = yamlFiles.find((f) => f.path === 'environments/edge/models/amd-tp.yaml')!;
    const [obj] = model.objects as [Record<string, Record<string, unknown>>];
    // A renderer bug, simulated: an unknown field, a wrong type deep in the template, a missing kind on a second document.
    const broken = {
      ...obj,
      spec: { ...obj.spec, bogusField: true, template: { ...(obj.spec!.template as object), containers: [{ name: 'main', image: 7 }] } },
    };
    const file = { path: model.path, ...yamlDocs('environments/edge/catalog.yaml', broken, { apiVersion: 'v1', metadata: { name: 'x' } }) };
    const memory = await v.validateObjects(file.path, file.objects, file.content);
    const text = await v.validateFile(file.path, file.content);
    expect(memory).toEqual(text);
    expect(memory.map((r) => r.status)).toEqual(['invalid', 'error']);
    const errors = memory[0]!.validationErrors;
    expect(errors).toContainEqual(expect.objectContaining({ path: '/spec/bogusField', msg: 'unknown field (not in the schema)' }));
    const image = errors.find((e) => e.path === '/spec/template/containers/0/image')!;
    const lines = file.content.split('\n');
    expect(lines[image.line! - 1]!.slice(image.col! - 1)).toBe('image: 7');
    expect(memory[1]).toMatchObject({ status: 'error', msg: 'missing kind', line: file.content.split('\n').indexOf('---') + 2 });
  });

  it('keeps a label like e01 a string (no re-parse under YAML 1.1 rules)', async () => {
    const [ns] = render({ e01: 'namespace: llm-e01\nplatform: { mode: none }\nmodels:\n  m: { uri: hf://org/m, accelerator: cpu, router: none, labels: { tier: e5 } }\n' })
      .filter((f) => f.path === 'environments/e01/models/m.yaml');
    const [r] = await validator().validateObjects(ns!.path, ns!.objects!, ns!.content);
    expect(r).toMatchObject({ status: 'valid', kind: 'LLMInferenceService', name: 'm' });
  });
});
