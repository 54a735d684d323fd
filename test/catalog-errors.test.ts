/**
 * Bad input: every rule gives exit 1, a message naming file:line:col, the field and a fix, and
 * leaves a previously generated tree byte-for-byte as it was.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, repoWith, snapshot } from './helpers/repo.js';

const GOOD = `namespace: llm-test
platform: { mode: none }
models:
  opt-125m:
    uri: hf://facebook/opt-125m
    accelerator: cpu
`;

interface Case {
  readonly name: string;
  readonly catalog: string;
  /** Each expected: [line, substring] found on one stderr line that also names the file. */
  readonly expect: readonly (readonly [number, string])[];
}

const CASES: readonly Case[] = [
  {
    name: 'unknown key, with a suggestion',
    catalog: `namespace: llm-test\nmodels:\n  opt:\n    uri: hf://facebook/opt-125m\n    gpu: 1\n`,
    expect: [[5, 'models.opt.gpu: unknown key "gpu" — did you mean "gpus"?']],
  },
  {
    name: 'unknown top-level key',
    catalog: `namespace: llm-test\nmodles: {}\nmodels: {}\n`,
    expect: [[2, 'unknown key "modles" — did you mean "models"?']],
  },
  {
    name: 'duplicate key',
    catalog: `namespace: llm-test\nmodels:\n  opt:\n    uri: hf://facebook/opt-125m\n  opt:\n    uri: hf://facebook/opt-350m\n`,
    expect: [[5, 'Map keys must be unique']],
  },
  {
    name: 'duplicate key in a flow map, and twice in one map',
    catalog: `namespace: llm-test\nmodels:\n  opt: { uri: hf://facebook/opt-125m, replicas: 1, replicas: 2 }\n  b:\n    uri: hf://x/y\n    gpus: 1\n    uri: hf://x/z\n    gpus: 2\n`,
    expect: [[3, 'Map keys must be unique'], [7, 'Map keys must be unique'], [8, 'Map keys must be unique']],
  },
  {
    name: 'anchor and alias',
    catalog: `namespace: llm-test\nmodels:\n  a: &shared\n    uri: hf://facebook/opt-125m\n  b: *shared\n`,
    expect: [
      [3, 'anchor &shared is not allowed'],
      [5, 'alias *shared is not allowed'],
    ],
  },
  {
    name: 'merge key',
    catalog: `namespace: llm-test\nmodels:\n  a:\n    <<: {replicas: 2}\n    uri: hf://facebook/opt-125m\n`,
    expect: [[4, 'merge key << is not allowed']],
  },
  {
    name: 'wrong type',
    catalog: `namespace: llm-test\nmodels:\n  opt:\n    uri: hf://facebook/opt-125m\n    replicas: three\n`,
    expect: [[5, 'models.opt.replicas: expected number, got the string "three"']],
  },
  {
    name: 'missing required uri',
    catalog: `namespace: llm-test\nmodels:\n  opt:\n    replicas: 1\n`,
    expect: [[4, 'models.opt.uri: is required']],
  },
  {
    name: 'unsupported uri scheme',
    catalog: `namespace: llm-test\nmodels:\n  opt:\n    uri: https://example.com/model\n`,
    expect: [[4, 'models.opt.uri: must be hf://org/model']],
  },
  {
    name: 'model name is not a DNS-1123 label',
    catalog: `namespace: llm-test\nmodels:\n  Qwen2.5_7B:\n    uri: hf://Qwen/Qwen2.5-7B-Instruct\n`,
    expect: [[3, 'models.Qwen2.5_7B: "Qwen2.5_7B" is not a valid LLMInferenceService name']],
  },
  {
    name: 'namespace is not a DNS-1123 label',
    catalog: `namespace: LLM_Test\nmodels: {}\n`,
    expect: [[1, 'namespace: must be a DNS-1123 label']],
  },
  {
    name: 'gpus do not divide by tensorParallel',
    catalog: `namespace: llm-test\nmodels:\n  big:\n    uri: hf://Qwen/Qwen2.5-72B-Instruct\n    gpus: 4\n    tensorParallel: 3\n`,
    expect: [[6, 'models.big.tensorParallel: 4 GPUs per pod do not divide by tensor parallelism 3 — use a divisor of 4 (1, 2, 4)']],
  },
  {
    name: 'prefill without prefill-decode',
    catalog: `namespace: llm-test\nmodels:\n  q:\n    uri: hf://Qwen/Qwen2.5-7B-Instruct\n    prefill: { replicas: 2 }\n`,
    expect: [[5, 'models.q.prefill: prefill settings need router: prefill-decode']],
  },
  {
    name: 'unknown preset',
    catalog: `namespace: llm-test\npresets:\n  tuned: { spec: {} }\nmodels:\n  q:\n    uri: hf://Qwen/Qwen2.5-7B-Instruct\n    presets: [tuned, tunned]\n`,
    expect: [[7, 'models.q.presets.1: unknown preset "tunned"']],
  },
  {
    name: 'unknown profile',
    catalog: `namespace: llm-test\nprofiles:\n  h100: { accelerator: nvidia }\nmodels:\n  q:\n    uri: hf://Qwen/Qwen2.5-7B-Instruct\n    profile: a100:2\n`,
    expect: [[7, 'models.q.profile: unknown profile "a100" — use one of h100']],
  },
  {
    name: 'an inline token',
    catalog: `namespace: llm-test\nmodels:\n  q:\n    uri: hf://meta-llama/Llama-3.1-8B\n    env:\n      HF_TOKEN: hf_abcdefghijklmnopqrstuvwxyz0123\n`,
    expect: [[6, 'models.q.env.HF_TOKEN: this looks like a credential']],
  },
  {
    name: 'a literal value in a secret-looking variable',
    catalog: `namespace: llm-test\nmodels:\n  q:\n    uri: hf://meta-llama/Llama-3.1-8B\n    env:\n      HUGGING_FACE_HUB_TOKEN: not-a-real-one\n`,
    expect: [[6, 'HUGGING_FACE_HUB_TOKEN holds a literal value']],
  },
  {
    name: 'download without a pvc uri',
    catalog: `namespace: llm-test\nmodels:\n  q:\n    uri: hf://Qwen/Qwen2.5-7B-Instruct\n    download: { from: hf://Qwen/Qwen2.5-7B-Instruct, size: 40Gi }\n`,
    expect: [[5, 'models.q.download: download fills a PersistentVolumeClaim, so it needs a pvc:// uri']],
  },
  {
    name: 'replicas with autoscaling',
    catalog: `namespace: llm-test\nmodels:\n  q:\n    uri: hf://Qwen/Qwen2.5-7B-Instruct\n    replicas: 2\n    autoscaling: { min: 1, max: 4 }\n`,
    expect: [[5, 'models.q.replicas: replicas and autoscaling cannot both be set']],
  },
  {
    name: 'a cpu model asking for GPUs',
    catalog: `namespace: llm-test\nmodels:\n  q:\n    uri: hf://facebook/opt-125m\n    accelerator: cpu\n    gpus: 2\n`,
    expect: [[6, 'models.q.gpus: a cpu model cannot ask for 2 GPUs']],
  },
  {
    name: 'delivery without repoURL',
    catalog: `namespace: llm-test\ndelivery: { engine: flux }\nmodels: {}\n`,
    expect: [[2, 'delivery: delivery.engine: flux needs delivery.repoURL']],
  },
  {
    name: 'not a map',
    catalog: `- just\n- a list\n`,
    expect: [[1, 'a catalog is a YAML map']],
  },
];

describe('bad catalogs', () => {
  let repo: { dir: string; cleanup: () => void };
  let before: Map<string, string>;
  const catalogPath = () => join(repo.dir, 'environments', 'test', 'catalog.yaml');

  beforeAll(async () => {
    repo = repoWith({ test: GOOD, other: GOOD.replace('llm-test', 'llm-other') });
    expect((await cli(['generate'], repo.dir)).code).toBe(0);
  });
  afterAll(() => repo?.cleanup());

  for (const c of CASES) {
    it(`${c.name}: exit 1, file:line and fix, tree unchanged`, async () => {
      writeFileSync(catalogPath(), c.catalog);
      before = snapshot(repo.dir);
      const r = await cli(['generate'], repo.dir);
      expect(r.code, r.stderr).toBe(1);
      const lines = r.stderr.split('\n');
      for (const [line, text] of c.expect) {
        const hit = lines.find((l) => l.startsWith(`environments/test/catalog.yaml:${line}:`) && l.includes(text));
        expect(hit, `expected line ${line} with "${text}" in:\n${r.stderr}`).toBeDefined();
      }
      expect(snapshot(repo.dir)).toEqual(before);
    });
  }

  it('reports every error of a run at once, across environments', async () => {
    writeFileSync(catalogPath(), `namespace: llm-test\nmodels:\n  Bad_Name:\n    uri: hf://a/b\n    gpu: 1\n  ok:\n    uri: ftp://x\n`);
    writeFileSync(join(repo.dir, 'environments', 'other', 'catalog.yaml'), `namespace: llm-other\nmodels:\n  x:\n    uri: hf://a/b\n    tensorParallel: 3\n    gpus: 2\n  Y:\n    uri: hf://a/b\n    prefill: {}\n`);
    before = snapshot(repo.dir);
    const r = await cli(['generate'], repo.dir);
    expect(r.code).toBe(1);
    // schema errors of one file together…
    expect(r.stderr).toContain('environments/test/catalog.yaml:5:5: models.Bad_Name.gpu: unknown key');
    expect(r.stderr).toContain('environments/test/catalog.yaml:7:10: models.ok.uri:');
    // …and every rule error of another file in the same run
    expect(r.stderr).toContain('environments/other/catalog.yaml:5:21: models.x.tensorParallel');
    expect(r.stderr).toContain('environments/other/catalog.yaml:7:3: models.Y: "Y" is not a valid LLMInferenceService name');
    expect(r.stderr).toContain('environments/other/catalog.yaml:9:14: models.Y.prefill: prefill settings need router: prefill-decode');
    expect(r.stderr).toMatch(/^5 errors$/m);
    expect(snapshot(repo.dir)).toEqual(before);
    writeFileSync(join(repo.dir, 'environments', 'other', 'catalog.yaml'), GOOD.replace('llm-test', 'llm-other'));
  });

  it('a usage error exits 2', async () => {
    writeFileSync(catalogPath(), GOOD);
    expect((await cli(['generate', '--bogus'], repo.dir)).code).toBe(2);
    expect((await cli(['generate', '--env', 'nope'], repo.dir)).code).toBe(2);
    expect((await cli(['frobnicate'], repo.dir)).code).toBe(2);
  });
});
