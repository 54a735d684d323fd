/**
 * `diff` and `commit` say what a setting moved from and to (args, prefill, resources), cut to a
 * phrase's length, and count a new environment by its models.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/repo.js';
import { git, gitopsRepo, PROD, write, type GitopsRepo } from './helpers/gitops-repo.js';

const QWEN = '  qwen2-7b-instruct:\n    uri: hf://Qwen/Qwen2.5-7B-Instruct\n    gpus: 1\n    replicas: 3\n';
const BEFORE = PROD.replace(QWEN, `${QWEN}    router: prefill-decode\n    prefill: { replicas: 1 }\n    args: [--max-model-len, "4096", --enable-prefix-caching]\n    resources: { cpu: "4", memory: 32Gi }\n`);
const AFTER = BEFORE.replace('prefill: { replicas: 1 }', 'prefill: { replicas: 2 }').replace('"4096"', '"8192"').replace('memory: 32Gi }\n', 'memory: 48Gi }\n').replace('Llama-3.1-8B-Instruct', 'Llama-3.1-8B-Instruct-abliterated-v2');
const STAGING = 'namespace: llm-staging\nplatform: { mode: standalone, kserve: v0.20.0, source: remote }\ndefaults: { resources: { cpu: "1", memory: 4Gi } }\nmodels:\n  tiny: { uri: hf://facebook/opt-125m, accelerator: cpu, router: direct }\n  small: { uri: hf://facebook/opt-350m-with-a-name-long-enough-to-be-cut, accelerator: cpu, router: direct }\n';

let repo: GitopsRepo;
beforeAll(async () => {
  repo = await gitopsRepo({ prod: BEFORE });
  write(repo.work, 'environments/prod/catalog.yaml', AFTER);
  write(repo.work, 'environments/staging/catalog.yaml', STAGING);
});
afterAll(() => repo?.cleanup());

describe('diff shows values', () => {
  it('old → new for lists and objects, a new environment counted by its models', async () => {
    const r = await cli(['diff', '--base', 'HEAD'], repo.work);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').slice(0, 6)).toEqual([
      'changes from HEAD to the working tree:',
      '  prod: llama re-pointed hf://meta-llama/Llama-3.1-8B-Instruct → hf://meta-llama/Llam…ruct-abliterated-v2, model name meta-llama/Llama-3.1-8B-Instruct → meta-llama/Llama-3.1…ruct-abliterated-v2',
      '  prod: qwen2-7b-instruct prefill.replicas 1 → 2, resources.limits.memory 32Gi → 48Gi, resources.requests.memory 32Gi → 48Gi, args [--max-model-len 4096 …] → [--max-model-len 8192 …]',
      '  staging: new environment with 2 models',
      '  staging: small added',
      '  staging: tiny added',
    ]);
  });

  it('the commit subject counts models, not the environment', async () => {
    const r = await cli(['commit'], repo.work);
    expect(r.code).toBe(0);
    expect(git(repo.work, 'log', '-1', '--format=%s').trim()).toBe('llm-gitops: prod: 2 models changed; staging (new): 2 models added');
  });
});
