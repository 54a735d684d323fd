/**
 * CPU and memory requests for a library model whose catalog gives none (model, templates,
 * defaults and profile all silent on cpu/memory), so the scheduler places vLLM on a node with room
 * for it. An entry may state its own `resources: {cpu, memory}`; else they follow from the size:
 *   memory = 1.2 × the weights (vLLM reads the safetensors through host memory) + 8 GiB of
 *            runtime (Python, CUDA context, tokenizer), rounded up to 4 GiB
 *   cpu    = 2 + 2 per GPU of the pod (the API server, the engine core and one worker per GPU;
 *            4 for a CPU-only pod, whose cores do the compute)
 * Requests only: no limit is derived, so a pod that needs more than the estimate is not killed.
 */
import type { ResourcesFile } from '../catalog/schema.js';
import { resourcesOf } from '../catalog/normalize.js';

const GiB = 2 ** 30;

/** The derived requests for `weightsGB` of weights (10⁹ B) on a pod with `podGpus` GPUs (0: CPU). */
export function derivedRequests(weightsGB: number, podGpus: number): { cpu: string; memory: string } {
  const memoryGiB = Math.ceil(((weightsGB * 1e9 * 1.2) / GiB + 8) / 4) * 4;
  return { cpu: String(podGpus > 0 ? 2 + 2 * podGpus : 4), memory: `${memoryGiB}Gi` };
}

/**
 * The model's resources with cpu/memory requests filled in from `requests` when the effective
 * resources (`own`: the model's after defaults, else the profile's) set neither cpu nor memory;
 * undefined when they already do. Extended resources (rdma, vendor/resource) are kept.
 */
export function withRequests(own: ResourcesFile | undefined, requests: { cpu: string | number; memory: string | number }): ResourcesFile | undefined {
  const r = resourcesOf(own);
  const set = (k: 'cpu' | 'memory') => r?.requests?.[k] !== undefined || r?.limits?.[k] !== undefined;
  if (set('cpu') || set('memory')) return undefined;
  return { ...(own ?? {}), requests: { cpu: requests.cpu, memory: requests.memory } } as ResourcesFile;
}
