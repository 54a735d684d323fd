/**
 * The GPU fit check as catalog rules: weights + KV-cache headroom against the GPUs one copy of
 * the model gets (tensor × pipeline), and tensor parallelism against the attention heads. A
 * size without GPU memory (or the reverse) is a warning naming what to add, never an error.
 */
import type { Issue } from '../errors.js';
import type { CatalogDocument, PathKey } from '../catalog/document.js';
import type { CatalogFile, ModelFile } from '../catalog/schema.js';
import { hardwareOf, parseProfileRef, withDefaults } from '../catalog/normalize.js';
import { KV_HEADROOM, DEFAULT_UTILIZATION, fit, gb, maxModelLenOf, smallestFit, tensorSizes, tensorSplits, utilizationOf } from './fit.js';
import { gpuMemoryOf } from './gpus.js';
import type { SizeFacts } from './resolve.js';

export function fitRules(c: CatalogFile, doc: CatalogDocument, sizes: Readonly<Record<string, SizeFacts>>): Issue[] {
  const issues: Issue[] = [];
  for (const [key, own] of Object.entries(c.models)) {
    const m: ModelFile = withDefaults(c.defaults, own);
    const size = sizes[key];
    const maxLen = maxModelLenOf(m.args ?? []);
    if (size?.maxContext !== undefined && maxLen !== undefined && maxLen > size.maxContext) {
      const at: PathKey[] = own.args !== undefined ? ['models', key, 'args'] : ['models', key, 'use'];
      issues.push(doc.at(at, `--max-model-len ${maxLen} is longer than the ${size.maxContext}-token context of ${size.label} (maxContext of its library entry) — vLLM refuses a length beyond the model's max_position_embeddings; use ${size.maxContext} or less`));
    }
    const hw = hardwareOf(m, c.profiles);
    if (hw.accelerator === 'cpu' || m.dra || hw.gpus === 0) continue;
    const tensor = m.parallelism?.tensor ?? m.tensorParallel ?? Math.max(1, Math.floor(hw.gpus / (m.parallelism?.dataLocal ?? 1)));
    const perCopy = tensor * (m.parallelism?.pipeline ?? 1);
    const gpuPath: PathKey[] = own.profile || own.gpus !== undefined || own.use ? ['models', key, own.profile ? 'profile' : own.gpus !== undefined ? 'gpus' : 'use'] : ['models', key];
    if (size && !tensorSplits(size, tensor)) {
      const tpPath: PathKey[] = own.parallelism?.tensor !== undefined ? ['models', key, 'parallelism', 'tensor'] : own.tensorParallel !== undefined ? ['models', key, 'tensorParallel'] : gpuPath;
      const why =
        size.attentionHeads !== undefined && size.attentionHeads % tensor !== 0
          ? `does not divide the ${size.attentionHeads} attention heads of ${size.label}`
          : `and the ${size.kvHeads} KV heads of ${size.label} do not divide one another (they are split, or replicated, evenly)`;
      issues.push(doc.at(tpPath, `tensor parallelism ${tensor} ${why} — vLLM refuses it; use ${tensorSizes(size).join(', ')}`));
    }
    const ref = m.profile ? parseProfileRef(m.profile) : undefined;
    const profile = ref ? c.profiles?.[ref.name] : undefined;
    if (!ref || !profile) continue;
    const memory = gpuMemoryOf(ref.name, profile);
    if (!size && memory) {
      issues.push(doc.at(['models', key], `size unknown, so the fit on ${ref.name} (${memory.gb.toFixed(0)} GB per GPU) is not checked — add params (and dtype), or use: a library entry`, { onKey: true, severity: 'warning' }));
      continue;
    }
    if (!size) continue;
    if (!memory) {
      issues.push(doc.at(['profiles', ref.name], `profile ${ref.name} has no gpuMemory, so ${key} (${gb(size.weightsGB)} of weights) is not checked — add gpuMemory: 80Gi, or a well-known nvidia.com/gpu.product nodeSelector`, { onKey: true, severity: 'warning' }));
      continue;
    }
    const utilization = utilizationOf(m.args ?? []);
    const f = fit({ weightsGB: size.weightsGB, gpus: perCopy, memoryGB: memory.gb, ...(utilization !== undefined ? { utilization } : {}) });
    if (f.fits) continue;
    const n = smallestFit(size.weightsGB, memory.gb, size, utilization);
    const per = `${ref.name}:${perCopy}`;
    const fix = n ? `use ${ref.name}:${n} or more` : `use a GPU with more memory or a quantized model (dtype fp8, int4)`;
    issues.push(
      doc.at(gpuPath, `${size.label} ${size.dtype} needs ${gb(size.weightsGB)} of weights (+${KV_HEADROOM * 100} % KV cache: ${gb(f.needGB)}); ${per} gives ${Math.round(perCopy * memory.gb)} GB (${gb(f.haveGB)} at --gpu-memory-utilization ${utilization ?? DEFAULT_UTILIZATION}) — ${fix}`),
    );
  }
  return issues;
}
