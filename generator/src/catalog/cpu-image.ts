/**
 * A CPU model that names no image would inherit KServe's preset image, which is CUDA-only
 * (ghcr.io/llm-d/llm-d-cuda) and cannot start without a GPU. It gets the CPU vLLM image KServe's
 * own CPU samples pin for the release instead (model/kserve.ts), unless the model, its profile,
 * its `spec` or one of the environment's own presets it lists (`presets:` → spec.baseRefs) names one.
 */
import type { Hardware, JsonObject } from '../model/types.js';
import { kserveRelease } from '../model/kserve.js';
import type { ModelFile, ProfileFile } from './schema.js';

function specImage(spec: unknown): boolean {
  const containers = ((spec as JsonObject | undefined)?.template as JsonObject | undefined)?.containers;
  return Array.isArray(containers) && containers.some((c) => (c as JsonObject | null)?.name === 'main' && (c as JsonObject).image !== undefined);
}

export function defaultCpuImage(m: ModelFile, profile: ProfileFile | undefined, hw: Hardware, kserve: string, presets: Readonly<Record<string, { readonly spec?: unknown }>> = {}): string | undefined {
  if (hw.accelerator !== 'cpu' || m.image !== undefined || profile?.image !== undefined || specImage(m.spec)) return undefined;
  // A preset's image reaches the model through baseRefs: KServe merges it under the model's spec.
  if ((m.presets ?? []).some((name) => Object.hasOwn(presets, name) && specImage(presets[name]?.spec))) return undefined;
  return kserveRelease(kserve)?.cpuVllmImage;
}
