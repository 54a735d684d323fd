/**
 * Model → LLMInferenceService (serving.kserve.io/v1alpha2). Pure. The catalog's short keys are
 * mapped here (workloads in workload.ts, the router in scheduler.ts); `spec:` from the catalog is
 * merged last, so it can say anything KServe accepts.
 */
import { LLMISVC_API_VERSION, STOP_ANNOTATION } from '../model/kserve.js';
import { MANAGED_BY } from '../model/names.js';
import type { Environment, JsonObject, Model } from '../model/types.js';
import { deepMerge } from './merge.js';
import { combined } from './shape.js';
import { routerOf } from './scheduler.js';
import { workloadSpec } from './workload.js';

/** KServe's managed-DRA annotations (v0.20, experimental). */
export const DRA_ANNOTATION = 'serving.kserve.io/exp-dra-';

export function renderLLMInferenceService(env: Environment, m: Model): JsonObject {
  const x = m.production;
  const generated: JsonObject = {
    model: { uri: m.uri, name: m.servedName, ...(x.lora ? { lora: loraSpec(x.lora) } : {}) },
    ...(m.presets.length ? { baseRefs: m.presets.map((name) => ({ name })) } : {}),
    ...(m.replicas !== undefined ? { replicas: m.replicas } : {}),
    ...(m.autoscaling ? { scaling: scaling(m.autoscaling) } : {}),
    ...routerOf(m),
    ...workloadSpec(m, { gpus: m.hardware.gpus, parallelism: m.parallelism, worker: m.worker, extras: m.decode }),
    ...(x.kvCacheOffload ? { kvCacheOffloading: kvOffload(x.kvCacheOffload) } : {}),
    ...(m.prefill ? { prefill: prefillOf(m) } : {}),
  };
  const spec = m.spec ? (deepMerge(generated, m.spec) as JsonObject) : generated;
  const annotations = combined(draAnnotations(m), m.annotations, m.stopped ? { [STOP_ANNOTATION]: 'true' } : undefined);
  const metadata: JsonObject = { name: m.name, namespace: env.namespace, labels: combined(m.labels, MANAGED_BY, { 'llm-gitops/environment': env.name }) };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  return {
    apiVersion: LLMISVC_API_VERSION,
    kind: 'LLMInferenceService',
    metadata,
    spec,
  };
}

function scaling(a: NonNullable<Model['autoscaling']>): JsonObject {
  return { minReplicas: a.min, maxReplicas: a.max, wva: { variantCost: '10.0', [a.engine]: {} } };
}

function loraSpec(l: NonNullable<Model['production']['lora']>): JsonObject {
  return {
    adapters: l.adapters.map((a) => ({ name: a.name, uri: a.uri })),
    ...(l.maxRank !== undefined ? { maxRank: l.maxRank } : {}),
    ...(l.maxAdapters !== undefined ? { maxAdapters: l.maxAdapters } : {}),
    ...(l.maxCpuAdapters !== undefined ? { maxCpuAdapters: l.maxCpuAdapters } : {}),
  };
}

function kvOffload(k: NonNullable<Model['production']['kvCacheOffload']>): JsonObject {
  const secondary: JsonObject[] = [
    ...(k.disk ? [{ fileSystem: { emptyDir: { size: k.disk } } }] : []),
    ...(k.claim ? [{ fileSystem: { pvc: { ref: { name: k.claim } } } }] : []),
  ];
  return { cpu: k.cpu, ...(k.evictionPolicy ? { evictionPolicy: k.evictionPolicy } : {}), ...(secondary.length ? { secondary } : {}) };
}

function draAnnotations(m: Model): Record<string, string> {
  const d = m.production.dra;
  if (!d) return {};
  return {
    [`${DRA_ANNOTATION}device-class`]: d.deviceClass,
    ...(d.count !== 1 ? { [`${DRA_ANNOTATION}device-count`]: String(d.count) } : {}),
    ...(d.container ? { [`${DRA_ANNOTATION}container-name`]: d.container } : {}),
    ...(d.selector ? { [`${DRA_ANNOTATION}cel-selector`]: d.selector } : {}),
  };
}

function prefillOf(m: Model): JsonObject {
  const p = m.prefill!;
  return combined(p.replicas !== undefined ? { replicas: p.replicas } : undefined, workloadSpec(m, { gpus: p.gpus, parallelism: p.parallelism, worker: p.worker, extras: p }));
}
