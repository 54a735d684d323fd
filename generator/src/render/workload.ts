/**
 * One workload of an LLMInferenceService (the main/decode one or prefill): its parallelism, the
 * pod template with the `main` container, and the `worker` pod of a multi-node workload — in the
 * shape KServe's well-known configs merge onto (kserve-config-llm-template, …-worker-data-parallel,
 * …-prefill-*, …-decode-*). Pure.
 */
import type { Hardware, Json, JsonObject, Model, Parallelism, Probe, Resources, WorkloadExtras } from '../model/types.js';
import { hfServiceAccountName } from './storage.js';

export interface WorkloadInput {
  readonly gpus: number;
  readonly parallelism: Parallelism;
  readonly worker: boolean;
  readonly extras: WorkloadExtras;
}

export function parallelismSpec(p: Parallelism): JsonObject | undefined {
  const out: JsonObject = {
    ...(p.tensorShown ? { tensor: p.tensor } : {}),
    ...(p.data !== undefined ? { data: p.data } : {}),
    ...(p.dataLocal !== undefined ? { dataLocal: p.dataLocal } : {}),
    ...(p.pipeline !== undefined ? { pipeline: p.pipeline } : {}),
    ...(p.expert !== undefined ? { expert: p.expert } : {}),
    ...(p.rpcPort !== undefined ? { dataRPCPort: p.rpcPort } : {}),
  };
  return Object.keys(out).length ? out : undefined;
}

function resourcesOf(r: Resources | undefined, hw: Hardware, gpus: number, dra: boolean): JsonObject | undefined {
  const gpu: Record<string, string> = hw.resourceName && gpus > 0 && !dra ? { [hw.resourceName]: String(gpus) } : {};
  const ext = r?.extended ?? {};
  const limits = { ...r?.limits, ...gpu, ...ext };
  const requests = { ...r?.requests, ...gpu, ...ext };
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
  const spec: JsonObject = {
    ...(containers.length ? { containers } : {}),
    ...(hw.nodeSelector ? { nodeSelector: { ...hw.nodeSelector } } : {}),
    ...(hw.tolerations ? { tolerations: [...hw.tolerations] } : {}),
    ...(hw.runtimeClassName ? { runtimeClassName: hw.runtimeClassName } : {}),
    ...(sa ? { serviceAccountName: sa } : {}),
  };
  return Object.keys(spec).length ? spec : undefined;
}

/** parallelism, template, worker (and replicas) of one workload. */
export function workloadSpec(m: Model, w: WorkloadInput): JsonObject {
  const parallelism = parallelismSpec(w.parallelism);
  const template = podSpec(m, w, true);
  const worker = w.worker ? (podSpec(m, w, false) ?? {}) : undefined;
  return {
    ...(parallelism ? { parallelism } : {}),
    ...(template ? { template } : {}),
    ...(worker ? { worker } : {}),
  };
}
