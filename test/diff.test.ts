/**
 * `llm-gitops diff --base REV`: a scripted catalog change, committed as the base and edited in
 * the working tree, read back in the words a reviewer needs — text, markdown, json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareCatalogs } from '../generator/src/change/semantic.js';
import { phraseWithEnv } from '../generator/src/change/phrase.js';
import { loadRepository } from '../generator/src/catalog/repository.js';
import { subjectOf, SUBJECT_MAX } from '../generator/src/render/messages.js';
import type { Catalog } from '../generator/src/model/types.js';
import { cli } from './helpers/repo.js';
import { DEV, gitopsRepo, otherClone, PROD, write, type GitopsRepo } from './helpers/gitops-repo.js';

/** The change under review: prod scales qwen and stops llama, dev gains opt-125m and re-points tiny. */
const PROD_AFTER = PROD.replace('replicas: 3', 'replicas: 5').replace('uri: hf://meta-llama/Llama-3.1-8B-Instruct\n    gpus: 1', 'uri: hf://meta-llama/Llama-3.1-8B-Instruct\n    gpus: 1\n    stopped: true');
const DEV_AFTER = `${DEV.replace('hf://facebook/opt-125m', 'hf://facebook/opt-350m')}  opt-125m:\n    uri: hf://facebook/opt-125m\n    accelerator: cpu\n    router: direct\n`;

let repo: GitopsRepo;
beforeAll(async () => {
  repo = await gitopsRepo();
  write(repo.work, 'environments/prod/catalog.yaml', PROD_AFTER);
  write(repo.work, 'environments/dev/catalog.yaml', DEV_AFTER);
});
afterAll(() => repo?.cleanup());

const EXPECTED = [
  'dev: opt-125m added',
  'dev: tiny re-pointed hf://facebook/opt-125m → hf://facebook/opt-350m, model name facebook/opt-125m → facebook/opt-350m',
  'prod: llama stopped',
  'prod: qwen2-7b-instruct replicas 3 → 5',
];

describe('diff --base', () => {
  it('text: one line per change, then the generated objects', async () => {
    const r = await cli(['diff', '--base', 'HEAD'], repo.work);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('changes from HEAD to the working tree:');
    expect(lines.slice(1, 5)).toEqual(EXPECTED.map((l) => `  ${l}`));
    expect(r.stdout).toMatch(/generated objects \(1 added, \d+ changed\):/);
    expect(r.stdout).toMatch(/\+ dev\s+LLMInferenceService opt-125m\s+environments\/dev\/models\/opt-125m\.yaml/);
    expect(r.stdout).toMatch(/~ prod\s+LLMInferenceService qwen2-7b-instruct\s+environments\/prod\/models\/qwen2-7b-instruct\.yaml\s+\(spec\.replicas\)/);
    expect(r.stdout).toMatch(/~ prod\s+LLMInferenceService llama\s+.*\(metadata\.annotations\)/);
    expect(r.stdout).not.toContain('@@'); // no YAML unless asked
  });

  it('markdown: a PR comment with the marker, per-environment bullets, objects and the YAML folded away', async () => {
    const r = await cli(['diff', '--base', 'HEAD', '--format', 'markdown', '--unified'], repo.work);
    expect(r.code).toBe(0);
    const md = r.stdout;
    expect(md.startsWith('<!-- llm-gitops diff -->\n### llm-gitops: changes from `HEAD`\n')).toBe(true);
    expect(md).toContain('**prod**\n\n- llama stopped\n- qwen2-7b-instruct replicas 3 → 5\n');
    expect(md).toContain('**dev**\n\n- opt-125m added\n');
    expect(md).toContain('<details><summary>Generated objects: 1 added,');
    expect(md).toContain('| added | dev | LLMInferenceService opt-125m | `environments/dev/models/opt-125m.yaml` |  |');
    expect(md).toContain('<details><summary>YAML diff of the generated files</summary>\n\n```diff\ndiff --git a/environments/dev/README.md');
    expect(md).toMatch(/^-  replicas: 3$/m);
    expect(md).toMatch(/^\+  replicas: 5$/m);
    expect(md.trimEnd().endsWith('</details>')).toBe(true);
  });

  it('json: structured changes, objects and the unified diff for tools', async () => {
    const r = await cli(['diff', '--base', 'HEAD', '--format', 'json', '--unified'], repo.work);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { base: string; changes: { env: string; model: string | null; kind: string; fields: unknown[]; text: string }[]; objects: { env?: string; kind: string; name?: string; action: string; path: string }[]; diff: string };
    expect(j.base).toBe('HEAD');
    expect(j.changes.map((c) => c.text)).toEqual(EXPECTED);
    expect(j.changes).toContainEqual({ env: 'prod', model: 'qwen2-7b-instruct', kind: 'changed', fields: [{ field: 'replicas', from: '3', to: '5' }], text: 'prod: qwen2-7b-instruct replicas 3 → 5' });
    expect(j.objects).toContainEqual({ env: 'dev', path: 'environments/dev/models/opt-125m.yaml', kind: 'LLMInferenceService', name: 'opt-125m', action: 'added', fields: [] });
    expect(j.diff).toContain('--- /dev/null\n+++ b/environments/dev/models/opt-125m.yaml\n');
  });

  it('says so when nothing changed; an unknown revision or environment is a usage error (exit 2)', async () => {
    const clean = otherClone(repo, 'clean');
    const none = await cli(['diff', '--base', 'HEAD'], clean);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('no changes between HEAD and the working tree\n');
    expect((await cli(['diff', '--base', 'HEAD', '--format', 'markdown'], clean)).stdout).toContain('No change to any environment.');
    const bad = await cli(['diff', '--base', 'no-such-branch'], repo.work);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--base no-such-branch: no such revision');
    expect((await cli(['diff', '--base', 'HEAD', '--env', 'nothing-here'], repo.work)).code).toBe(2);
  });
});

function catalog(texts: Record<string, string>): Catalog {
  const r = loadRepository(Object.entries(texts).map(([env, text]) => ({ env, file: `environments/${env}/catalog.yaml`, text })));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

describe('semantic changes', () => {
  it('names environment settings, gpus, router, image, presets; an unchanged catalog has none', () => {
    const before = catalog({ prod: PROD });
    expect(compareCatalogs(before, before)).toEqual([]);
    const after = catalog({
      prod: PROD.replace('platform: { mode: addons, kserve: v0.20.0, source: remote }', 'platform: { mode: standalone, kserve: v0.20.0, source: remote }')
        .replace('replicas: 3', 'replicas: 3\n    router: direct\n    image: vllm/vllm-openai:v0.11.0')
        .replace('uri: hf://meta-llama/Llama-3.1-8B-Instruct\n    gpus: 1', 'uri: hf://meta-llama/Llama-3.1-8B-Instruct\n    gpus: 2'),
      staging: DEV,
    });
    expect(compareCatalogs(before, after).map(phraseWithEnv)).toEqual([
      'prod: platform mode addons → standalone',
      'prod: llama gpus 1 → 2, tensor parallel 1 → 2',
      'prod: qwen2-7b-instruct router scheduler → direct, image set to vllm/vllm-openai:v0.11.0',
      'staging: new environment with 1 model',
      'staging: tiny added',
    ]);
  });

  it('keeps commit subjects within 72 characters by summarising', () => {
    const many = compareCatalogs(catalog({}), catalog({ dev: DEV, prod: PROD }));
    const subject = subjectOf(many, []);
    expect(subject.length).toBeLessThanOrEqual(SUBJECT_MAX);
    expect(subject).toBe('llm-gitops: dev (new): 1 model added; prod (new): 2 models added');
    expect(subjectOf([], [{ path: 'environments/prod/models/llama.yaml', action: 'updated' }])).toBe('llm-gitops: regenerate prod (1 file)');
  });
});
