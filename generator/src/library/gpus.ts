/**
 * Accelerator classes the model library counts GPUs for, and how a profile's GPU memory is known:
 * `gpuMemory: 80Gi`, else the GPU feature discovery labels of its nodeSelector
 * (`nvidia.com/gpu.memory` in MiB, or a well-known `nvidia.com/gpu.product` /
 * `amd.com/gpu.product-name`), else a profile named like a class (`h100`). Memory in GB (10⁹ B).
 */

export interface GpuClass {
  readonly vendor: 'nvidia' | 'amd' | 'cpu';
  /** Memory per GPU in GB as marketed. */
  readonly memoryGB: number;
  /** Node label values GPU feature discovery writes for it. */
  readonly products: readonly string[];
}

export const GPU_CLASSES = {
  h100: { vendor: 'nvidia', memoryGB: 80, products: ['NVIDIA-H100-80GB-HBM3', 'NVIDIA-H100-PCIe', 'NVIDIA-H100-SXM5-80GB'] },
  h200: { vendor: 'nvidia', memoryGB: 141, products: ['NVIDIA-H200', 'NVIDIA-H200-141GB-HBM3e'] },
  'a100-80gb': { vendor: 'nvidia', memoryGB: 80, products: ['NVIDIA-A100-SXM4-80GB', 'NVIDIA-A100-80GB-PCIe'] },
  'a100-40gb': { vendor: 'nvidia', memoryGB: 40, products: ['NVIDIA-A100-SXM4-40GB', 'NVIDIA-A100-PCIE-40GB'] },
  l40s: { vendor: 'nvidia', memoryGB: 48, products: ['NVIDIA-L40S'] },
  l4: { vendor: 'nvidia', memoryGB: 24, products: ['NVIDIA-L4'] },
  mi300x: { vendor: 'amd', memoryGB: 192, products: ['AMD_Instinct_MI300X', 'MI300X'] },
  cpu: { vendor: 'cpu', memoryGB: 0, products: [] },
} as const satisfies Record<string, GpuClass>;

export type GpuClassName = keyof typeof GPU_CLASSES;
export const GPU_CLASS_NAMES = Object.keys(GPU_CLASSES) as GpuClassName[];

const PRODUCT_LABELS = ['nvidia.com/gpu.product', 'amd.com/gpu.product-name'];

/** The class a profile's hardware belongs to, when it can be told. */
export function classOf(profileName: string, nodeSelector: Readonly<Record<string, string>> | undefined, accelerator: string | undefined): GpuClassName | undefined {
  if (accelerator === 'cpu') return 'cpu';
  for (const label of PRODUCT_LABELS) {
    const product = nodeSelector?.[label];
    if (!product) continue;
    const hit = GPU_CLASS_NAMES.find((c) => (GPU_CLASSES[c].products as readonly string[]).includes(product));
    if (hit) return hit;
  }
  return (GPU_CLASS_NAMES as string[]).includes(profileName) ? (profileName as GpuClassName) : undefined;
}

/** Bytes of a Kubernetes quantity (80Gi, 80G, 81559Mi). */
export function quantityBytes(q: string | number): number | undefined {
  if (typeof q === 'number') return q;
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q);
  if (!m) return undefined;
  const unit: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(m[1]) * (m[2] ? unit[m[2]]! : 1);
}

/** GPU memory (GB) of a profile and where that came from, or undefined when nothing tells. */
export function gpuMemoryOf(profileName: string, p: { gpuMemory?: string | number; nodeSelector?: Readonly<Record<string, string>>; accelerator?: string }): { gb: number; from: string } | undefined {
  if (p.gpuMemory !== undefined) {
    const b = quantityBytes(p.gpuMemory);
    if (b !== undefined) return { gb: b / 1e9, from: `gpuMemory: ${p.gpuMemory}` };
  }
  const mib = p.nodeSelector?.['nvidia.com/gpu.memory'];
  if (mib && /^[0-9]+$/.test(mib)) return { gb: (Number(mib) * 2 ** 20) / 1e9, from: `nvidia.com/gpu.memory=${mib}` };
  const cls = classOf(profileName, p.nodeSelector, p.accelerator);
  if (cls && cls !== 'cpu') return { gb: GPU_CLASSES[cls].memoryGB, from: cls };
  return undefined;
}
