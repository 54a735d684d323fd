/**
 * The model library and the GPU fit check, in process: every built-in entry names its source and
 * renders a CRD-valid LLMInferenceService on each accelerator class it claims; an organisation's
 * environments/library.yaml adds and overrides entries, strictly; the fit check errs, warns or
 * passes with the numbers in the message.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRepository } from '../generator/src/catalog/repository.js';
import type { Issue } from '../generator/src/errors.js';
import { BUILTIN } from '../generator/src/library/builtin.js';
import { smallestFit, tensorSplits, utilizationOf } from '../generator/src/library/fit.js';
import { weightsGB } from '../generator/src/library/entry.js';
import { GPU_CLASSES, type GpuClassName } from '../generator/src/library/gpus.js';
import { renderLLMInferenceService } from '../generator/src/render/llmisvc.js';
import type { JsonObject } from '../generator/src/model/types.js';
import { crdValidator } from './helpers/crd-ajv.js';
import { KSERVE_SRC } from './helpers/repo.js';

const FILE = 'environments/t/catalog.yaml';
const LIB = 'environments/library.yaml';
const HEAD = 'namespace: llm-t\nplatform: { mode: none }\n';
const fmt = (i: Issue) => `${i.file}:${i.line ?? '?'}:${i.col ?? '?'}: ${i.field ? `${i.field}: ` : ''}${i.message}`;

/** Catalog loading, every warning kept: library models get cpu/memory requests, so none warns for lack of them. */
function load(text: string, library?: string) {
  return loadRepository([{ env: 't', file: FILE, text }], library === undefined ? undefined : { file: LIB, text: library });
}

function objects(text: string, library?: string): Record<string, JsonObject> {
  const r = load(text, library);
  if (!r.ok) throw new Error(r.issues.map(fmt).join('\n'));
  const env = r.value.environments[0]!;
  return Object.fromEntries(env.models.map((m) => [m.name, renderLLMInferenceService(env, m)]));
}

const main = (o: JsonObject): JsonObject => ((((o.spec as JsonObject).template as JsonObject | undefined)?.containers ?? []) as JsonObject[]).find((c) => c.name === 'main') ?? {};

function profileFor(cls: GpuClassName): string {
  const vendor = GPU_CLASSES[cls].vendor;
  return `  ${cls}: { accelerator: ${vendor === 'cpu' ? 'cpu' : vendor} }`;
}

describe('built-in model library', () => {
  const crd = crdValidator(join(KSERVE_SRC, 'config/crd/full/llmisvc/serving.kserve.io_llminferenceservices.yaml'), 'v1alpha2');

  for (const [id, e] of Object.entries(BUILTIN)) {
    it(`${id}: names its model card, and fits and validates on ${Object.keys(e.gpus).join(', ')}`, () => {
      expect(e.source).toMatch(/^https:\/\/huggingface\.co\/[^/]+\/[^/]+$/);
      expect(e.uri).toBe(`hf://${e.source.replace('https://huggingface.co/', '')}`);
      // What the facts were checked against, and what could not be confirmed, is written down.
      expect(e.checked?.length, `${id} names the pages its facts were checked against`).toBeGreaterThan(0);
      for (const url of e.checked ?? []) expect(url).toMatch(/^https:\/\/\S+$/);
      for (const note of e.unverified ?? []) expect(note.length).toBeGreaterThan(10);
      expect(e.attentionHeads && e.kvHeads, `${id} knows its attention and KV heads`).toBeTruthy();
      const classes = Object.keys(e.gpus) as GpuClassName[];
      expect(classes.length).toBeGreaterThan(0);
      // Each count is the fit formula's: the smallest that fits and splits the heads.
      for (const cls of classes) {
        if (cls === 'cpu') continue;
        expect(tensorSplits(e, e.gpus[cls]!), `${id} on ${cls}`).toBe(true);
        expect(e.gpus[cls], `${id} on ${cls}`).toBe(smallestFit(weightsGB(e), GPU_CLASSES[cls].memoryGB, e, utilizationOf(e.args)));
      }
      const text = `${HEAD}profiles:\n${classes.map(profileFor).join('\n')}\nmodels:\n${classes.map((c) => `  m-${c}: { use: ${id}, profile: ${c} }`).join('\n')}\n`;
      const r = load(text);
      expect(r.ok ? r.warnings.map(fmt) : r.issues.map(fmt)).toEqual([]);
      const objs = objects(text);
      for (const cls of classes) {
        const o = objs[`m-${cls}`]!;
        expect(crd.validate(o), `${id} on ${cls}`).toEqual([]);
        expect(((o.spec as JsonObject).model as JsonObject).uri).toBe(e.uri);
        const limits = ((main(o).resources ?? {}) as JsonObject).limits as JsonObject | undefined;
        const resource = GPU_CLASSES[cls].vendor === 'amd' ? 'amd.com/gpu' : 'nvidia.com/gpu';
        expect(limits?.[resource], `${id} on ${cls}`).toBe(cls === 'cpu' ? undefined : String(e.gpus[cls]));
        expect(main(o).args ?? []).toEqual(e.args);
      }
    });
  }

  it('turns a model entry into 1-3 lines: uri, served name, flags, startup budget and GPUs from the entry', () => {
    const o = objects(`${HEAD}profiles:\n  h100: { nodeSelector: { nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3 } }\nmodels:\n  qwen: { use: qwen2.5-72b-instruct, profile: h100, replicas: 3, args: [--max-model-len, "8192"] }\n`).qwen!;
    const spec = o.spec as JsonObject;
    expect(spec.model).toEqual({ uri: 'hf://Qwen/Qwen2.5-72B-Instruct', name: 'Qwen/Qwen2.5-72B-Instruct' });
    expect(spec.replicas).toBe(3);
    expect(spec.parallelism).toEqual({ tensor: 4 });
    // The entry's flags first, the model's after (vLLM takes the last value of a flag).
    expect(main(o).args).toEqual([...BUILTIN['qwen2.5-72b-instruct']!.args, '--max-model-len', '8192']);
    expect(main(o).startupProbe).toEqual({ periodSeconds: 10, failureThreshold: 180 });
  });
});

describe('cpu and memory requests of library models', () => {
  const res = (o: JsonObject) => main(o).resources as JsonObject;
  it('derives them from the size where the catalog gives none; the entry may state its own; the catalog’s win', () => {
    const lib = `models:\n  own:\n    source: https://huggingface.co/a/own\n    uri: hf://a/own\n    params: 1\n    dtype: bf16\n    maxContext: 4096\n    gpus: { h100: 1 }\n    resources: { cpu: "6", memory: 20Gi }\n`;
    const objs = objects(
      `${HEAD}profiles:\n  h100: {}\n  sized: { resources: { cpu: "3", memory: 40Gi } }\nmodels:\n` +
        `  big: { use: qwen2.5-72b-instruct, profile: h100 }\n  small: { use: qwen2.5-0.5b-instruct, profile: h100 }\n  tiny: { use: opt-125m }\n  own: { use: own, profile: h100 }\n` +
        `  mine: { use: qwen2.5-7b-instruct, profile: h100, resources: { memory: 64Gi } }\n  onprofile: { use: qwen2.5-7b-instruct, profile: sized:1 }\n  rdma: { use: qwen2.5-7b-instruct, profile: h100, resources: { rdma: 1 } }\n`,
      lib,
    );
    // 72.7 B bf16 = 145 GB: 1.2 × 135.4 GiB + 8 GiB → 172Gi; 4 GPUs → 2 + 2 × 4 CPUs.
    expect(res(objs.big!).requests).toEqual({ cpu: '10', memory: '172Gi', 'nvidia.com/gpu': '4' });
    expect(res(objs.big!).limits).toEqual({ 'nvidia.com/gpu': '4' });
    expect(res(objs.small!).requests).toEqual({ cpu: '4', memory: '12Gi', 'nvidia.com/gpu': '1' });
    expect(res(objs.tiny!)).toEqual({ requests: { cpu: '4', memory: '12Gi' } });
    expect(res(objs.own!).requests).toEqual({ cpu: '6', memory: '20Gi', 'nvidia.com/gpu': '1' });
    // The catalog’s own cpu or memory (model or profile) is left as written; extended resources are kept.
    expect(res(objs.mine!)).toEqual({ requests: { memory: '64Gi', 'nvidia.com/gpu': '1' }, limits: { memory: '64Gi', 'nvidia.com/gpu': '1' } });
    expect(res(objs.onprofile!).requests).toMatchObject({ cpu: '3', memory: '40Gi' });
    expect(res(objs.rdma!).requests).toEqual({ cpu: '4', memory: '28Gi', 'nvidia.com/gpu': '1', 'rdma/roce_gdr': 1 });
  });
});

describe('organisation library (environments/library.yaml)', () => {
  const ORG = `models:
  qwen2.5-7b-instruct:
    source: https://huggingface.co/Qwen/Qwen2.5-7B-Instruct
    uri: hf://Qwen/Qwen2.5-7B-Instruct
    params: 7.61
    dtype: bf16
    maxContext: 131072
    attentionHeads: 28
    args: [--max-model-len, "131072"]
    gpus: { h100: 2 }
  in-house-13b:
    source: https://huggingface.co/example-org/in-house-13b
    uri: hf://example-org/in-house-13b
    params: 13
    dtype: bf16
    maxContext: 8192
    gpus: { h100: 1 }
`;

  it('replaces a built-in entry of the same id and adds its own', () => {
    const objs = objects(`${HEAD}profiles:\n  h100: {}\nmodels:\n  q: { use: qwen2.5-7b-instruct, profile: h100 }\n  own: { use: in-house-13b, profile: h100 }\n`, ORG);
    expect(main(objs.q!).args).toEqual(['--max-model-len', '131072']);
    expect((main(objs.q!).resources as JsonObject).limits).toEqual({ 'nvidia.com/gpu': '2' });
    expect(((objs.own!.spec as JsonObject).model as JsonObject).uri).toBe('hf://example-org/in-house-13b');
    // Without the file, the built-in entry applies.
    const builtin = objects(`${HEAD}profiles:\n  h100: {}\nmodels:\n  q: { use: qwen2.5-7b-instruct, profile: h100 }\n`);
    expect(main(builtin.q!).args).toEqual(BUILTIN['qwen2.5-7b-instruct']!.args);
  });

  it('is strict: unknown keys, wrong types and missing facts at file:line:col; unknown entries with a suggestion', () => {
    const bad = load(`${HEAD}models: {}\n`, `models:\n  x:\n    source: https://huggingface.co/a/b\n    uri: hf://a/b\n    params: seven\n    dtype: bf16\n    maxContext: 4096\n    gpus: { h100: 1, tpu: 2 }\n    flags: []\n  y: { source: https://huggingface.co/a/c, uri: hf://a/c, dtype: bf16, maxContext: 1, gpus: {} }\n`);
    expect(bad.ok).toBe(false);
    const lines = bad.ok ? [] : bad.issues.map(fmt);
    for (const want of [
      `${LIB}:5:13: models.x.params: `,
      `${LIB}:8:22: models.x.gpus.tpu: `,
      `${LIB}:9:5: models.x.flags: unknown key "flags"`,
      `${LIB}:10:6: models.y.params: is required — add params:`,
    ]) {
      expect(lines.some((l) => l.startsWith(want)), `${want}\nin:\n${lines.join('\n')}`).toBe(true);
    }
    const unknown = load(`${HEAD}models:\n  q: { use: qwen2.5-7b-instrct }\n`);
    expect(unknown.ok ? [] : unknown.issues.map(fmt)).toEqual([`${FILE}:4:13: models.q.use: unknown library entry "qwen2.5-7b-instrct" — did you mean qwen2.5-0.5b-instruct, qwen2.5-1.5b-instruct, qwen2.5-3b-instruct, qwen2.5-7b-instruct, qwen2.5-14b-instruct?`]);
    const noCount = load(`${HEAD}profiles:\n  l4: {}\nmodels:\n  q: { use: qwen2.5-72b-instruct, profile: l4 }\n`);
    expect(noCount.ok ? [] : noCount.issues.map(fmt)).toEqual([
      `${FILE}:6:44: models.q.profile: qwen2.5-72b-instruct lists no GPU count for l4 (it lists h100: 4, h200: 2, a100-80gb: 4, l40s: 4, mi300x: 1) — write profile: l4:N, or pick a profile of a listed class`,
    ]);
  });
});

describe('GPU fit check', () => {
  const PROFILES = `profiles:
  h100: { nodeSelector: { nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3 } }
  big: { gpuMemory: 80Gi }
  mystery: { nodeSelector: { pool: gpu } }
`;
  // Requests for the models of their own (hf://x/…) written last, so the lines named above stay put.
  const result = (models: string) => load(`${HEAD}${PROFILES}models:\n${models}defaults: { resources: { cpu: "1", memory: 1Gi } }\n`);

  it('fits: the library counts, a model’s own params, an explicit gpuMemory', () => {
    const r = result(`  a: { use: qwen2.5-72b-instruct, profile: h100:4 }\n  b: { uri: hf://x/b, params: 30, dtype: bf16, profile: big:1 }\n  c: { use: gpt-oss-120b, profile: h100:1 }\n`);
    expect(r.ok ? r.warnings.map(fmt) : r.issues.map(fmt)).toEqual([]);
  });

  it('does not fit: an error naming the weights, what the GPUs give, and the count that would fit', () => {
    const r = result(`  qwen:\n    use: qwen2.5-72b-instruct\n    profile: h100:1\n  own: { uri: hf://x/own, params: 70, dtype: fp8, gpus: 1, profile: big }\n`);
    expect(r.ok ? [] : r.issues.map(fmt)).toEqual([
      `${FILE}:10:14: models.qwen.profile: qwen2.5-72b-instruct bf16 needs ≈145 GB of weights (+15 % KV cache: ≈167 GB); h100:1 gives 80 GB (≈72 GB at --gpu-memory-utilization 0.9) — use h100:4 or more`,
      `${FILE}:11:69: models.own.profile: own fp8 needs ≈70 GB of weights (+15 % KV cache: ≈81 GB); big:1 gives 86 GB (≈77 GB at --gpu-memory-utilization 0.9) — use big:2 or more`,
    ]);
    // --gpu-memory-utilization in the model's args moves the line.
    const raised = result(`  own: { uri: hf://x/own, params: 70, dtype: fp8, gpus: 1, profile: big, args: [--gpu-memory-utilization, "0.95"] }\n`);
    expect(raised.ok ? raised.warnings : raised.issues.map(fmt)).toEqual([]);
  });

  it('a tensor parallelism that does not divide the attention heads is an error where the library knows them', () => {
    const r = result(`  q: { use: qwen2.5-7b-instruct, profile: h100:3 }\n`);
    expect(r.ok ? [] : r.issues.map(fmt)).toEqual([`${FILE}:8:43: models.q.profile: tensor parallelism 3 does not divide the 28 attention heads of qwen2.5-7b-instruct — vLLM refuses it; use 1, 2, 4`]);
    // 7 divides the 28 query heads, but not the 4 KV heads (nor they 7): vLLM can neither split nor replicate them.
    const kv = result(`  q: { use: qwen2.5-7b-instruct, profile: h100:7 }\n`);
    expect(kv.ok ? [] : kv.issues.map(fmt)).toEqual([`${FILE}:8:43: models.q.profile: tensor parallelism 7 and the 4 KV heads of qwen2.5-7b-instruct do not divide one another (they are split, or replicated, evenly) — vLLM refuses it; use 1, 2, 4`]);
    // 8 GPUs replicate the 8 KV heads of a 64-head model: fine.
    expect(result(`  q: { use: llama-3.1-70b-instruct, profile: h100:8 }\n`).ok).toBe(true);
  });

  it('a --max-model-len beyond the entry’s context is an error at the args', () => {
    const r = result(`  q: { use: qwen2.5-7b-instruct, profile: h100:1, args: [--max-model-len, "131072"] }\n  ok: { use: qwen2.5-7b-instruct, profile: h100:1, args: ["--max-model-len=32k"] }\n`);
    expect(r.ok ? [] : r.issues.map(fmt)).toEqual([
      `${FILE}:8:57: models.q.args: --max-model-len 131072 is longer than the 32768-token context of qwen2.5-7b-instruct (maxContext of its library entry) — vLLM refuses a length beyond the model's max_position_embeddings; use 32768 or less`,
    ]);
  });

  it('unknown size and a profile without GPU memory are warnings that say what to add, never errors', () => {
    const r = result(`  unknown: { uri: hf://x/unknown, profile: h100:1 }\n  nomem: { use: qwen2.5-7b-instruct, profile: mystery:1 }\n  noprofile: { uri: hf://x/np, gpus: 1 }\n`);
    expect(r.ok).toBe(true);
    expect(r.ok ? r.warnings.map(fmt) : []).toEqual([
      `${FILE}:8:3: models.unknown: size unknown, so the fit on h100 (80 GB per GPU) is not checked — add params (and dtype), or use: a library entry`,
      `${FILE}:6:3: profiles.mystery: profile mystery has no gpuMemory, so nomem (≈15 GB of weights) is not checked — add gpuMemory: 80Gi, or a well-known nvidia.com/gpu.product nodeSelector`,
    ]);
  });
});

describe('library JSON Schema', () => {
  it('generator/schema/library.schema.json equals the code schema and accepts environments/library.yaml', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const { libraryJsonSchema } = await import('../generator/src/library/schema.js');
    const { PROJECT } = await import('./helpers/repo.js');
    const committed = JSON.parse(readFileSync(join(PROJECT, 'generator/schema/library.schema.json'), 'utf8'));
    expect(committed).toEqual(libraryJsonSchema());
    const validate = new Ajv2020({ strict: false }).compile(committed);
    expect(validate(parse(readFileSync(join(PROJECT, LIB), 'utf8')))).toBe(true);
    expect(validate({ models: { x: { uri: 'hf://a/b' } } })).toBe(false);
  });
});
