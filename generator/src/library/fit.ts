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

/** The smallest GPU count (1, 2, 4, 8, 16) that fits and divides the heads, if any. */
export function smallestFit(weights: number, memoryGB: number, heads: number | undefined, utilization?: number): number | undefined {
  return [1, 2, 4, 8, 16].find((n) => (heads === undefined || heads % n === 0) && fit({ weightsGB: weights, gpus: n, memoryGB, ...(utilization !== undefined ? { utilization } : {}) }).fits);
}

/** The value of `--gpu-memory-utilization` in vLLM arguments (`--flag v` or `--flag=v`). */
export function utilizationOf(args: readonly string[]): number | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = a === '--gpu-memory-utilization' ? args[i + 1] : a.startsWith('--gpu-memory-utilization=') ? a.slice(a.indexOf('=') + 1) : undefined;
    if (v !== undefined && Number.isFinite(Number(v)) && Number(v) > 0 && Number(v) <= 1) return Number(v);
  }
  return undefined;
}

/** "≈145 GB" */
export function gb(n: number): string {
  return `≈${n >= 10 ? Math.round(n) : n.toFixed(1)} GB`;
}
