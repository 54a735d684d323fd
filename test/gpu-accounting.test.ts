/**
 * GPU accounting: demand per environment, resource and profile — multi-node workers, prefill,
 * autoscaling, stopped models and DRA counted — in `diff` (text, markdown, json, through real
 * git) and in each environment's generated README.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareGpuDemand, gpuDemand, phraseGpuChange } from '../generator/src/accounting/gpus.js';
import { loadRepository } from '../generator/src/catalog/repository.js';
import type { Catalog } from '../generator/src/model/types.js';
import { cli } from './helpers/repo.js';
import { gitopsRepo, write, type GitopsRepo } from './helpers/gitops-repo.js';

const PROD = `namespace: llm-prod
platform: { mode: none }
profiles:
  h100: { nodeSelector: { nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3 } }
  mi300: { accelerator: amd }
models:
  qwen: { use: qwen2.5-7b-instruct, profile: h100:1, replicas: 4 }
  big: { use: qwen2.5-72b-instruct, profile: h100, replicas: 3 }
  wide: { uri: hf://deepseek-ai/DeepSeek-R1-0528, profile: mi300, parallelism: { data: 16, dataLocal: 8 } }
  pd: { uri: hf://x/pd, profile: h100:2, router: prefill-decode, prefill: { replicas: 2, gpus: 1 } }
  auto: { uri: hf://x/auto, profile: h100:1, autoscaling: { min: 1, max: 5 } }
  off: { uri: hf://x/off, profile: h100:8, stopped: true }
  dra: { uri: hf://x/dra, dra: { deviceClass: gpu.nvidia.com, count: 2 }, replicas: 2 }
  cpu: { use: opt-125m }
`;

const catalog = (prod: string): Catalog => {
  const r = loadRepository([{ env: 'prod', file: 'environments/prod/catalog.yaml', text: prod }]);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
};

describe('GPU demand', () => {
  it('counts replicas × pods per replica × GPUs per pod, per resource and profile', () => {
    // h100: qwen 4×1 + big 3×4 + pd (1×2 + 2×1) + auto at max 5×1 + off 0 = 25; mi300: 1 replica × 2 pods × 8.
    expect(gpuDemand(catalog(PROD).environments[0]!)).toEqual([
      { resource: 'amd.com/gpu', profile: 'mi300', count: 16 },
      { resource: 'dra:gpu.nvidia.com', profile: '-', count: 4 },
      { resource: 'nvidia.com/gpu', profile: 'h100', count: 25 },
    ]);
  });

  it('phrases a change as reviewers read it', () => {
    const after = catalog(PROD.replace('replicas: 4 }', 'replicas: 12 }'));
    const changes = compareGpuDemand(catalog(PROD), after);
    expect(changes.map((c) => phraseGpuChange(c))).toEqual(['prod: +8 nvidia.com/gpu on h100 (25 → 33)']);
    expect(compareGpuDemand(after, catalog(PROD)).map((c) => phraseGpuChange(c))).toEqual(['prod: -8 nvidia.com/gpu on h100 (33 → 25)']);
  });
});

describe('diff and the environment README', () => {
  let repo: GitopsRepo;
  beforeAll(async () => {
    repo = await gitopsRepo({ prod: PROD });
    write(repo.work, 'environments/prod/catalog.yaml', PROD.replace('replicas: 4 }', 'replicas: 12 }').replace('  cpu: { use: opt-125m }\n', ''));
  });
  afterAll(() => repo?.cleanup());

  it('diff reports GPU demand per environment and profile in text, markdown and json', async () => {
    const text = await cli(['diff', '--base', 'HEAD'], repo.work);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('\nGPU demand:\n  prod: +8 nvidia.com/gpu on h100 (25 → 33)\n');
    const md = await cli(['diff', '--base', 'HEAD', '--format', 'markdown'], repo.work);
    expect(md.stdout).toContain('**GPU demand**\n\n- prod: +8 nvidia.com/gpu on h100 (25 → 33)\n');
    const json = JSON.parse((await cli(['diff', '--base', 'HEAD', '--format', 'json'], repo.work)).stdout);
    expect(json.gpus).toEqual([{ env: 'prod', resource: 'nvidia.com/gpu', profile: 'h100', before: 25, after: 33, text: 'prod: +8 nvidia.com/gpu on h100 (25 → 33)' }]);
  });

  it("each environment's generated README shows its totals", async () => {
    expect((await cli(['generate'], repo.work)).code).toBe(0);
    const readme = readFileSync(join(repo.work, 'environments/prod/README.md'), 'utf8');
    expect(readme).toContain('| `nvidia.com/gpu` | h100 | 33 |');
    expect(readme).toContain('| `amd.com/gpu` | mi300 | 16 |');
    expect(readme).toContain('| `qwen` | `Qwen/Qwen2.5-7B-Instruct` | 12 | 12 nvidia.com/gpu (h100) |');
    expect(readme).toContain('| `off` | `x/off` | stopped | 0 nvidia.com/gpu (h100) |');
  });
});
