/**
 * A model library entry: facts about one model, each from its model card (named in `source`),
 * that a catalog model picks with `use: <id>`. Built-in entries live in builtin.ts; an
 * organisation's environments/library.yaml adds or replaces entries (library/load.ts).
 */
import type { GpuClassName } from './gpus.js';

export const DTYPES = ['bf16', 'fp16', 'fp32', 'fp8', 'int8', 'int4', 'mxfp4'] as const;
export type Dtype = (typeof DTYPES)[number];

/** Bytes per parameter of a weight dtype (mxfp4 packs 4-bit values with shared scales). */
export const DTYPE_BYTES: Record<Dtype, number> = { fp32: 4, bf16: 2, fp16: 2, fp8: 1, int8: 1, int4: 0.5, mxfp4: 0.53 };

export interface LibraryEntry {
  /** The model card the facts were taken from. */
  readonly source: string;
  readonly uri: string;
  /** Served model id. @default the repo id of the hf:// uri */
  readonly name?: string;
  /** Parameters, in billions. */
  readonly params: number;
  readonly dtype: Dtype;
  /** Size of the weights in GB when params × dtype does not say it (mixed-precision checkpoints). */
  readonly weightsGB?: number;
  /** Longest context the model supports (tokens). */
  readonly maxContext: number;
  /** Attention (query) heads: tensor parallelism must divide them. */
  readonly attentionHeads?: number;
  /** Key/value heads (grouped-query attention): vLLM needs them and the tensor parallelism to divide one another. */
  readonly kvHeads?: number;
  /** The vLLM flags that matter for this model. */
  readonly args: readonly string[];
  /** GPUs per replica known to fit, per accelerator class (`cpu: 0` for CPU images). */
  readonly gpus: Readonly<Partial<Record<GpuClassName, number>>>;
  /** CPU and memory requests of a replica's pod when the catalog gives none. @default from the size (resources.ts) */
  readonly resources?: { readonly cpu: string | number; readonly memory: string | number };
  /** Startup budget (how long loading may take), e.g. 30m. */
  readonly startup?: string;
  /** What the facts were checked against: the pages read (config.json, model card, vLLM docs). */
  readonly checked?: readonly string[];
  /** Facts that could not be confirmed from a source, and why. */
  readonly unverified?: readonly string[];
}

/** Where an entry came from, for messages. */
export interface LibraryRecord extends LibraryEntry {
  readonly id: string;
  readonly origin: 'built-in' | string;
}

/** Weights in GB: stated, else params × bytes of the dtype. */
export function weightsGB(e: { params: number; dtype: Dtype; weightsGB?: number }): number {
  return e.weightsGB ?? e.params * DTYPE_BYTES[e.dtype];
}

/** A startup budget from the model size when the entry does not state one. */
export function startupFor(params: number): string | undefined {
  if (params <= 15) return undefined; // the preset's 10 minutes
  if (params <= 80) return '30m';
  if (params <= 250) return '60m';
  return '90m';
}
