/**
 * The organisation library file, `environments/library.yaml`: hand-edited, shared by every
 * environment, adding entries to the built-in library or replacing built-in ones by id.
 * Exported as generator/schema/library.schema.json for editors.
 */
import { z } from '../catalog/zod.js';
import { DTYPES } from './entry.js';
import { GPU_CLASS_NAMES } from './gpus.js';

export const LIBRARY_FILE = 'environments/library.yaml';
export const ENTRY_ID = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;

export const entrySchema = z.strictObject({
  source: z.string().regex(/^https:\/\/\S+$/, 'must be the https:// URL of the model card the facts come from').describe('The model card the facts were taken from.'),
  uri: z.string().regex(/^(hf|pvc|oci|s3):\/\/[^/\s]+(\/[^\s]*)?$/, 'must be hf://org/model, pvc://claim/path, oci://image or s3://bucket/path'),
  name: z.string().min(1).optional().describe('Served model id. @default the repo id of an hf:// uri'),
  params: z.number().positive().describe('Parameters, in billions (7.61 for Qwen2.5-7B).'),
  dtype: z.enum(DTYPES).describe('Weight dtype.'),
  weightsGB: z.number().positive().optional().describe('Size of the weights in GB when params × dtype does not say it.'),
  maxContext: z.number().int().positive().describe('Longest context the model supports, in tokens.'),
  attentionHeads: z.number().int().positive().optional().describe('Attention (query) heads; tensor parallelism must divide them.'),
  kvHeads: z.number().int().positive().optional().describe('Key/value heads (num_key_value_heads); tensor parallelism and they must divide one another.'),
  args: z.array(z.string()).optional().describe('The vLLM flags that matter (--max-model-len, --gpu-memory-utilization, --kv-cache-dtype, --quantization, parsers).'),
  gpus: z
    .partialRecord(z.enum(GPU_CLASS_NAMES as [string, ...string[]]), z.number().int().nonnegative())
    .describe(`GPUs per replica known to fit, per accelerator class (${GPU_CLASS_NAMES.join(', ')}; cpu: 0).`),
  resources: z
    .strictObject({ cpu: z.union([z.string().regex(/^[0-9]+(\.[0-9]+)?m?$/, 'must be a CPU quantity such as 4 or 500m'), z.number().positive()]), memory: z.string().regex(/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/, 'must be a memory quantity such as 32Gi') })
    .optional()
    .describe('CPU and memory requests of a pod when the catalog gives none (model, templates, defaults and profile silent). @default memory 1.2 × weights + 8 GiB, cpu 2 + 2 per GPU'),
  startup: z.string().regex(/^([0-9]+(s|m|h))+$/, 'must be a duration such as 20m or 1h30m').optional().describe('Startup budget. @default from the size'),
  checked: z.array(z.string().regex(/^https:\/\/\S+$/, 'must be an https:// URL')).optional().describe('The pages the facts were checked against (config.json, model card, vLLM docs).'),
  unverified: z.array(z.string().min(1)).optional().describe('Facts that could not be confirmed from a source, and why.'),
});

export const librarySchema = z.strictObject({
  models: z.record(z.string().regex(ENTRY_ID, 'must be an entry id: lower-case letters, digits, "." and "-"'), entrySchema).describe('Entry id (what models write in `use:`) → facts. An id the built-in library has replaces that entry.'),
});

export type LibraryFile = z.infer<typeof librarySchema>;

export function libraryJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(librarySchema, { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://github.com/kserve-llm-gitops/library.schema.json', title: 'llm-gitops model library' };
}
