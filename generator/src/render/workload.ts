/**
 * One workload of an LLMInferenceService (the main/decode one or prefill): its parallelism, the
 * pod template with the `main` container, and the `worker` pod of a multi-node workload — in the
 * shape KServe's well-known configs merge onto (kserve-config-llm-template, …-worker-data-parallel,
 * …-prefill-*, …-decode-*). Pure.
 */
import type { Hardware, Json, JsonObject, Model, Parallelism, Probe, Resources, WorkloadExtras } from '../model/types.js';
import { hfServiceAccountName } from './storage.js';
import { combined } from './shape.js';

export interface WorkloadInput {
  readonly gpus: number;
  readonly parallelism: Parallelism;
  readonly worker: boolean;
  readonly extras: WorkloadExtras;
}

export function parallelismSpec(p: Parallelism): JsonObject | undefined {
  const out: JsonObject = {};
  if (p.tensorShown) out.tensor = p.tensor;
  if (p.data !== undefined) out.data = p.data;
  if (p.dataLocal !== undefined) out.dataLocal = p.dataLocal;
  if (p.pipeline !== undefined) out.pipeline = p.pipeline;
  if (p.expert !== undefined) out.expert = p.expert;
  if (p.rpcPort !== undefined) out.dataRPCPort = p.rpcPort;
  return Object.keys(out).length ? out : undefined;
}

function resourcesOf(r: Resources | undefined, hw: Hardware, gpus: number, dra: boolean): JsonObject | undefined {
  const gpu: Record<string, string> = hw.resourceName && gpus > 0 && !dra ? { [hw.resourceName]: String(gpus) } : {};
  const ext = r?.extended ?? {};
  const limits = combined(r?.limits, gpu, ext);
  const requests = combined(r?.requests, gpu, ext);
  const out: JsonObject = {};
  if (Object.keys(limits).length) out.limits = limits;
  if (Object.keys(requests).length) out.requests = requests;
  return Object.keys(out).length ? out : undefined;
}

function probeSpec(p: Probe): JsonObject {
  const { scheme, ...rest } = p;
  return { ...(scheme ? { httpGet: { path: '/health', port: 8000, scheme } } : {}), ...rest };
}

/** The `main` container of a workload's pods; `head` adds probes (the worker preset has none). */
function mainContainer(m: Model, w: WorkloadInput, head: boolean): JsonObject {
  const x = m.production;
  const args = [...m.args, ...w.extras.args];
  const env: Json[] = overlayEnv(m.env, w.extras.env).map((e) => ({ ...e }) as JsonObject);
  if (m.hfTokenSecret) env.push({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: m.hfTokenSecret, key: 'HF_TOKEN' } } });
  const resources = resourcesOf(m.resources, m.hardware, w.gpus, x.dra !== undefined);
  const probes = head ? x.probes : {};
  return {
    name: 'main',
    ...(m.image ? { image: m.image } : {}),
    ...(x.command ? { command: [...x.command] } : {}),
    ...(args.length ? { args } : {}),
    ...(env.length ? { env } : {}),
    ...(resources ? { resources } : {}),
    ...((w.extras.runAsRoot ?? x.runAsRoot) ? { securityContext: { runAsNonRoot: false } } : {}),
    ...(probes.startup ? { startupProbe: probeSpec(probes.startup) } : {}),
    ...(probes.liveness ? { livenessProbe: probeSpec(probes.liveness) } : {}),
    ...(probes.readiness ? { readinessProbe: probeSpec(probes.readiness) } : {}),
  };
}

/** The model's env with a workload's own env over it (same name: the workload's value, in place). */
function overlayEnv(base: Model['env'], over: Model['env']): Model['env'] {
  const out = base.map((e) => over.find((o) => o.name === e.name) ?? e);
  return [...out, ...over.filter((o) => !base.some((b) => b.name === o.name))];
}

function podSpec(m: Model, w: WorkloadInput, head: boolean): JsonObject | undefined {
  const hw = m.hardware;
  const main = mainContainer(m, w, head);
  const sidecars = head ? m.production.sidecars : { before: [], after: [] };
  const containers = [...sidecars.before, ...(Object.keys(main).length > 1 ? [main] : []), ...sidecars.after];
  const sa = m.production.serviceAccount ?? (m.hfTokenSecret ? hfServiceAccountName(m.hfTokenSecret) : undefined);
  // Built by assignment: a literal of several spreads gets a V8 map of its own per object (see combined).
  const spec: JsonObject = {};
  if (containers.length) spec.containers = containers;
  if (hw.nodeSelector) spec.nodeSelector = { ...hw.nodeSelector };
  if (hw.tolerations) spec.tolerations = [...hw.tolerations];
  if (hw.runtimeClassName) spec.runtimeClassName = hw.runtimeClassName;
  if (sa) spec.serviceAccountName = sa;
  return Object.keys(spec).length ? spec : undefined;
}

/** parallelism, template, worker (and replicas) of one workload. */
export function workloadSpec(m: Model, w: WorkloadInput): JsonObject {
  const parallelism = parallelismSpec(w.parallelism);
  const template = podSpec(m, w, true);
  const worker = w.worker ? (podSpec(m, w, false) ?? {}) : undefined;
  const out: JsonObject = {};
  if (parallelism) out.parallelism = parallelism;
  if (template) out.template = template;
  if (worker) out.worker = worker;
  return out;
}
