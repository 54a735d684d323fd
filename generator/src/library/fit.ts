/**
 * The GPU fit check at generate time: a model's weights (from its library entry, or its own
 * `params`/`dtype`) plus a KV-cache headroom must fit the GPUs it asks for, and its tensor
 * parallelism must divide its attention heads. Pure arithmetic; rules.ts locates the issues.
 */

/** KV-cache and activation headroom on top of the weights. */
export const KV_HEADROOM = 0.15;
/** vLLM's default --gpu-memory-utilization. */
export const DEFAULT_UTILIZATION = 0.9;

export interface FitInput {
  readonly weightsGB: number;
  readonly gpus: number;
  readonly memoryGB: number;
  /** --gpu-memory-utilization of the model's args, else vLLM's default. */
  readonly utilization?: number;
}

export interface Fit {
  readonly fits: boolean;
  readonly needGB: number;
  readonly haveGB: number;
}

export function fit(i: FitInput): Fit {
  const needGB = i.weightsGB * (1 + KV_HEADROOM);
  const haveGB = i.gpus * i.memoryGB * (i.utilization ?? DEFAULT_UTILIZATION);
  return { fits: needGB <= haveGB, needGB, haveGB };
}

/** Attention heads as far as they are known. */
export interface Heads {
  readonly attentionHeads?: number;
  readonly kvHeads?: number;
}

/**
 * Whether vLLM can shard the attention over `tp` GPUs: the query heads split evenly, and the KV
 * heads either split evenly (tp ≤ KV heads) or are replicated evenly (tp > KV heads) — as its
 * QKVParallelLinear divides them.
 */
export function tensorSplits(h: Heads, tp: number): boolean {
  if (h.attentionHeads !== undefined && h.attentionHeads % tp !== 0) return false;
  if (h.kvHeads !== undefined && (tp <= h.kvHeads ? h.kvHeads % tp !== 0 : tp % h.kvHeads !== 0)) return false;
  return true;
}

/** Tensor-parallel sizes up to 16 that split the heads. */
export function tensorSizes(h: Heads): number[] {
  return Array.from({ length: 16 }, (_, i) => i + 1).filter((tp) => tensorSplits(h, tp));
}

/** The smallest GPU count (1, 2, 4, 8, 16) that fits and splits the heads, if any. */
export function smallestFit(weights: number, memoryGB: number, heads: Heads, utilization?: number): number | undefined {
  return [1, 2, 4, 8, 16].find((n) => tensorSplits(heads, n) && fit({ weightsGB: weights, gpus: n, memoryGB, ...(utilization !== undefined ? { utilization } : {}) }).fits);
}

/** The last value of a vLLM flag in arguments (`--flag v` or `--flag=v`; vLLM takes the last). */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === flag && args[i + 1] !== undefined) out = args[i + 1];
    else if (a.startsWith(`${flag}=`)) out = a.slice(flag.length + 1);
  }
  return out;
}

/** The value of `--gpu-memory-utilization` in vLLM arguments. */
export function utilizationOf(args: readonly string[]): number | undefined {
  const v = flagValue(args, '--gpu-memory-utilization');
  return v !== undefined && Number.isFinite(Number(v)) && Number(v) > 0 && Number(v) <= 1 ? Number(v) : undefined;
}

/** `--max-model-len` in tokens (vLLM also takes 32k / 32K / 1m), when the arguments set it. */
export function maxModelLenOf(args: readonly string[]): number | undefined {
  const m = /^([0-9]+)([kKmM]?)$/.exec(flagValue(args, '--max-model-len') ?? '');
  if (!m) return undefined;
  const unit = m[2] === 'k' ? 1000 : m[2] === 'K' ? 1024 : m[2] === 'm' ? 1e6 : m[2] === 'M' ? 2 ** 20 : 1;
  return Number(m[1]) * unit;
}

/** "≈145 GB" */
export function gb(n: number): string {
  return `≈${n >= 10 ? Math.round(n) : n.toFixed(1)} GB`;
}
