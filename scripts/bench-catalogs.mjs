/**
 * Synthetic catalogs for benchmarks: `envs` environments × `models` models, mixing every router,
 * profiles, prefill/decode, tensor parallelism and pvc:// downloads, as a large platform team would.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function benchCatalog(env, models, { source = 'remote' } = {}) {
  const lines = [
    `namespace: llm-${env}`,
    `platform: { mode: ${env.endsWith('0') ? 'standalone' : 'addons'}, kserve: v0.20.0, source: ${source} }`,
    `delivery: { engine: ${env.endsWith('1') ? 'flux' : 'argocd'}, repoURL: https://git.example.com/llm-gitops.git }`,
    'profiles:',
    '  h100: { accelerator: nvidia, nodeSelector: { nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3 }, tolerations: [{ key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }] }',
    '  mi300: { accelerator: amd, image: ghcr.io/llm-d/llm-d-rocm:v0.8.0 }',
    'presets:',
    '  tuned: { spec: { template: { containers: [{ name: main, env: [{ name: VLLM_LOGGING_LEVEL, value: WARNING }] }] } } }',
    'defaults: { hfTokenSecret: hf-token, presets: [tuned], resources: { cpu: "4", memory: 32Gi } }',
    'models:',
  ];
  for (let i = 0; i < models; i++) {
    const name = `model-${String(i).padStart(4, '0')}`;
    switch (i % 5) {
      case 0:
        lines.push(`  ${name}: { uri: hf://org/model-${i}, profile: h100:1, replicas: ${1 + (i % 4)} }`);
        break;
      case 1:
        lines.push(`  ${name}: { uri: hf://org/model-${i}, router: direct, profile: mi300:2 }`);
        break;
      case 2:
        lines.push(`  ${name}: { uri: hf://org/model-${i}, router: prefill-decode, profile: h100:1, prefill: { replicas: 2 } }`);
        break;
      case 3:
        lines.push(`  ${name}: { uri: pvc://store-${i}/weights, name: org/model-${i}, profile: h100:4, download: { from: hf://org/model-${i}, size: 200Gi } }`);
        break;
      default:
        lines.push(`  ${name}: { uri: oci://registry.example.com/models/m${i}:1.0, autoscaling: { min: 1, max: 8 }, args: [--max-model-len, "8192"] }`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function writeBenchRepo(dir, { envs = 10, models = 100, source = 'remote' } = {}) {
  for (let e = 0; e < envs; e++) {
    const env = `env${e}`;
    mkdirSync(join(dir, 'environments', env), { recursive: true });
    writeFileSync(join(dir, 'environments', env, 'catalog.yaml'), benchCatalog(env, models, { source }));
  }
}
