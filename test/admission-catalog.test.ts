/**
 * The objects KServe v0.20.0 refuses that `validate` used to pass (issue 8), each a catalog entry
 * written with the escape hatch: `generate` refuses the run (nothing written) and names the model,
 * the rule and the catalog's file:line:col of the key that introduced the value; misspelt keys get
 * a "did you mean". And the YAML 1.1 false positive: an environment `e01` with a label `e5`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, KSERVE_SRC, snapshot, tempDir, vendoredRepo } from './helpers/repo.js';

const OK = `namespace: llm-a
platform: { mode: none, source: vendored }
models:
  fine: { uri: hf://facebook/opt-125m, accelerator: cpu }
`;
/** model key → [catalog entry body, the key (path under the model) the error points at, rule / message]. */
const REFUSED: Record<string, [string, string, RegExp]> = {
  'replicas-and-scaling': ['replicas: 2\n    spec: { scaling: { maxReplicas: 4, wva: { hpa: {} } } }', 'spec', /replicas and scaling are mutually exclusive.*\[CEL rule of the CRD: !\(has\(self\.replicas\) && has\(self\.scaling\)\)\]/],
  'min-above-max': ['spec: { replicas: null, scaling: { minReplicas: 5, maxReplicas: 2, wva: { hpa: {} } } }', 'minReplicas', /minReplicas \(5\) cannot exceed maxReplicas \(2\) \[rule: kserve v0\.20\.0 llmisvc\.scaling\]/],
  'hpa-and-keda': ['spec: { replicas: null, scaling: { maxReplicas: 2, wva: { hpa: {}, keda: {} } } }', 'wva', /hpa and keda are mutually exclusive.*\[rule: kserve v0\.20\.0 llmisvc\.scaling\]/],
  'no-wva': ['spec: { replicas: null, scaling: { maxReplicas: 2 } }', 'scaling', /wva is required when scaling is configured.*\[rule: kserve v0\.20\.0 llmisvc\.scaling\]/],
  'path-prefix': ['router: direct\n    spec: { router: { route: { http: { spec: { rules: [{ matches: [{ path: { type: PathPrefix, value: v1 } }] }] } } } } }', 'path', /value must be an absolute path and start with '\/'.*\[CEL rule of the CRD:/],
  'duplicate-target-ports': ['spec: { router: { scheduler: { pool: { spec: { selector: { matchLabels: { a: b } }, targetPorts: [{ number: 8000 }, { number: 8000 }], endpointPickerRef: { name: epp, port: { number: 9002 } } } } } } }', 'targetPorts', /port number must be unique \[CEL rule of the CRD:/],
  'lora-repeated': ['spec: { model: { lora: { adapters: [{ name: a, uri: hf://o/a }, { name: a, uri: hf://o/b }] } } }', 'name', /duplicate name \(same as adapters\[0\]\) \[rule: kserve v0\.20\.0 llmisvc\.model\.lora\]/],
  'lora-base-name': ['name: base\n    spec: { model: { lora: { adapters: [{ name: base, uri: hf://o/a }] } } }', 'name', /adapter name must differ from base model name "base" \[rule: kserve v0\.20\.0 llmisvc\.model\.lora\]/],
  'lora-oci': ['spec: { model: { lora: { adapters: [{ name: a, uri: "oci://r/a:1" }] } } }', 'uri', /oci:\/\/ is not supported for LoRA adapters.*\[rule: kserve v0\.20\.0 llmisvc\.controller\.lora-uri-scheme\]/],
  'worker-alone': ['spec: { worker: {} }', 'worker', /when worker is specified, parallelism must be configured.*\[rule: kserve v0\.20\.0 llmisvc\.parallelism\]/],
  'data-without-local': ['spec: { parallelism: { data: 2 } }', 'parallelism', /dataLocal must be set when data is set \[rule: kserve v0\.20\.0 llmisvc\.parallelism\]/],
  'data-with-pipeline': ['spec: { parallelism: { data: 2, dataLocal: 1, pipeline: 2 } }', 'parallelism', /cannot set both pipeline parallelism and data parallelism.*\[rule: kserve v0\.20\.0 llmisvc\.parallelism\]/],
  'refs-managed-gateway': ['spec: { router: { route: { http: { refs: [{ name: mine }] } } } }', 'refs', /cannot be used with a managed gateway.*\[rule: kserve v0\.20\.0 llmisvc\.router\.cross-field\]/],
  'scheduler-zero': ['spec: { router: { scheduler: { replicas: 0 } } }', 'replicas', /scheduler replicas must be greater than zero \[rule: kserve v0\.20\.0 llmisvc\.router\.scheduler\]/],
  'gs-uri': ['', 'uri', /unsupported schema in model URI: gs:\/\/bucket\/m.*\[rule: kserve v0\.20\.0 llmisvc\.controller\.model-uri-scheme\]/],
  'misspelt-router': ['spec: { routr: {} }', 'routr', /unknown field "routr" at spec\.routr — did you mean "router"\?/],
  'misspelt-probe': ['spec: { template: { containers: [{ name: main, readinesProbe: { httpGet: { path: /health, port: 8000 } } }] } }', 'readinesProbe', /unknown field "readinesProbe" .* did you mean "readinessProbe"\?/],
};
const bad = () =>
  `${OK}${Object.entries(REFUSED)
    .map(([name, [body]]) => `  ${name}:\n    uri: ${name === 'gs-uri' ? 'gs://bucket/m' : 'hf://org/m'}\n    accelerator: cpu\n${body ? `    ${body}\n` : ''}`)
    .join('')}`;

let repo: { dir: string; cleanup: () => void };
const cache = tempDir('llm-gitops-cache-');
beforeAll(async () => {
  repo = await vendoredRepo({ a: OK, e01: OK.replace('llm-a', 'llm-e01').replace('accelerator: cpu }', 'accelerator: cpu, labels: { tier: e5 } }') });
  // The platform is vendored for the pinned version: the CRDs are on this machine.
  expect((await cli(['vendor', '--from', KSERVE_SRC], repo.dir)).code).toBe(0);
});
afterAll(() => {
  repo?.cleanup();
  cache.cleanup();
});

describe('refused at the catalog line', () => {
  it('generate exits 1 naming model, rule and catalog file:line:col, and writes nothing', async () => {
    const file = join(repo.dir, 'environments', 'a', 'catalog.yaml');
    const text = bad();
    writeFileSync(file, text);
    const before = snapshot(repo.dir);
    const r = await cli(['generate'], repo.dir, { LLM_GITOPS_CACHE: cache.dir });
    writeFileSync(file, OK);
    expect(r.code).toBe(1);
    const lines = text.split('\n');
    for (const [model, [, key, rule]] of Object.entries(REFUSED)) {
      const start = lines.findIndex((l) => l === `  ${model}:`);
      const hit = r.stderr.split('\n').find((l) => l.includes(`models.${model}.`) && rule.test(l));
      expect(hit, `${model}:\n${r.stderr}`).toBeDefined();
      const [, line, col] = /^environments\/a\/catalog\.yaml:(\d+):(\d+): /.exec(hit!)!;
      expect(Number(line), hit).toBeGreaterThan(start);
      expect(lines[Number(line) - 1]!.slice(Number(col) - 1).startsWith(key), `${hit}\n${lines[Number(line) - 1]}`).toBe(true);
      expect(hit).toContain(`LLMInferenceService ${model}:`);
    }
    writeFileSync(file, text);
    expect(snapshot(repo.dir)).toEqual(before);
    writeFileSync(file, OK);
    // The second adapter named "a" is reported at the second adapter.
    expect(r.stderr).toMatch(/models\.lora-repeated\.spec\.model\.lora\.adapters\.1\.name: .*duplicate name/);
  });

  it('an environment e01 with a label e5 generates and validates clean (quoted for YAML 1.1 readers)', async () => {
    expect((await cli(['generate'], repo.dir)).code).toBe(0);
    const model = readFileSync(join(repo.dir, 'environments', 'e01', 'models', 'fine.yaml'), 'utf8');
    expect(model).toMatch(/llm-gitops\/environment: "e01"/);
    expect(model).toMatch(/tier: "e5"/);
    const r = await cli(['validate', '--env', 'e01', '--schema-location', join(KSERVE_SRC, 'config', 'crd', 'full', 'llmisvc')], repo.dir, { LLM_GITOPS_CACHE: cache.dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});
