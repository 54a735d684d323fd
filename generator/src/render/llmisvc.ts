/**
 * Model → LLMInferenceService (serving.kserve.io/v1alpha2). Pure. The catalog's short keys are
 * mapped here; `spec:` from the catalog is merged last, so it can say anything KServe accepts.
 */
import { LLMISVC_API_VERSION, STOP_ANNOTATION } from '../model/kserve.js';
import { MANAGED_BY } from '../model/names.js';
import type { Environment, Hardware, Json, JsonObject, Model, Resources } from '../model/types.js';
import { deepMerge } from './merge.js';
import { hfServiceAccountName } from './storage.js';

export function renderLLMInferenceService(env: Environment, m: Model): JsonObject {
  const generated: JsonObject = {
    model: { uri: m.uri, name: m.servedName },
    ...(m.presets.length ? { baseRefs: m.presets.map((name) => ({ name })) } : {}),
    ...(m.replicas !== undefined ? { replicas: m.replicas } : {}),
    ...(m.autoscaling ? { scaling: scaling(m.autoscaling) } : {}),
    ...(m.tensorParallel > 1 ? { parallelism: { tensor: m.tensorParallel } } : {}),
    ...routerOf(m),
    ...templateOf(m, m.hardware, m.hardware.gpus, m.tensorParallel, true),
    ...(m.prefill ? { prefill: prefillOf(m) } : {}),
  };
  const spec = m.spec ? (deepMerge(generated, m.spec) as JsonObject) : generated;
  const annotations: Record<string, string> = { ...m.annotations, ...(m.stopped ? { [STOP_ANNOTATION]: 'true' } : {}) };
  return {
    apiVersion: LLMISVC_API_VERSION,
    kind: 'LLMInferenceService',
    metadata: {
      name: m.name,
      namespace: env.namespace,
      labels: { ...m.labels, ...MANAGED_BY, 'llm-gitops/environment': env.name },
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    spec,
  };
}

function scaling(a: NonNullable<Model['autoscaling']>): JsonObject {
  return { minReplicas: a.min, maxReplicas: a.max, wva: { variantCost: '10.0', [a.engine]: {} } };
}

function routerOf(m: Model): JsonObject {
  switch (m.router) {
    case 'scheduler':
    case 'prefill-decode':
      return { router: { route: {}, gateway: {}, scheduler: {} } };
    case 'direct':
      return { router: { route: {} } };
    case 'none':
      return {};
  }
}

function resourcesOf(r: Resources | undefined, hw: Hardware, gpus: number): JsonObject | undefined {
  const gpu: Record<string, string> = hw.resourceName && gpus > 0 ? { [hw.resourceName]: String(gpus) } : {};
  const limits = { ...r?.limits, ...gpu };
  const requests = { ...r?.requests, ...gpu };
  const out: JsonObject = {};
  if (Object.keys(limits).length) out.limits = limits;
  if (Object.keys(requests).length) out.requests = requests;
  return Object.keys(out).length ? out : undefined;
}

/** The pod template of a workload: the `main` container plus node placement. Omitted when empty. */
function templateOf(m: Model, hw: Hardware, gpus: number, tensorParallel: number, decode: boolean): JsonObject {
  const dataParallel = gpus > 0 && tensorParallel > 0 ? gpus / tensorParallel : 1;
  const args = [...m.args, ...(dataParallel > 1 ? ['--data-parallel-size', String(dataParallel)] : [])];
  const env: Json[] = m.env.map((e) => ({ ...e }) as JsonObject);
  if (m.hfTokenSecret) env.push({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: m.hfTokenSecret, key: 'HF_TOKEN' } } });
  const resources = resourcesOf(m.resources, hw, gpus);
  const main: JsonObject = {
    name: 'main',
    ...(m.image ? { image: m.image } : {}),
    ...(decode && args.length ? { args } : {}),
    ...(env.length ? { env } : {}),
    ...(resources ? { resources } : {}),
  };
  const template: JsonObject = {
    ...(Object.keys(main).length > 1 ? { containers: [main] } : {}),
    ...(hw.nodeSelector ? { nodeSelector: { ...hw.nodeSelector } } : {}),
    ...(hw.tolerations ? { tolerations: [...hw.tolerations] } : {}),
    ...(hw.runtimeClassName ? { runtimeClassName: hw.runtimeClassName } : {}),
    ...(m.hfTokenSecret ? { serviceAccountName: hfServiceAccountName(m.hfTokenSecret) } : {}),
  };
  return Object.keys(template).length ? { template } : {};
}

function prefillOf(m: Model): JsonObject {
  const p = m.prefill!;
  return {
    replicas: p.replicas,
    ...(p.tensorParallel > 1 ? { parallelism: { tensor: p.tensorParallel } } : {}),
    ...templateOf(m, m.hardware, p.gpus, p.tensorParallel, false),
  };
}
