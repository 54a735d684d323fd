/**
 * Normalizing the production short keys (catalog/keys.ts) into model/types.ts: parallelism as
 * KServe means it, probes with readable budgets, per-workload env/args, scheduler, LoRA, KV-cache
 * offloading, DRA, ServiceAccount, sidecars, command. Assumes the rules passed.
 */
import { parseDuration } from '../health/duration.js';
import type { Download, EnvVar, JsonObject, Parallelism, Probe, Production, WorkloadExtras } from '../model/types.js';
import type { EnvFile, ModelFile } from './schema.js';

type ParallelismFile = NonNullable<ModelFile['parallelism']>;

/** Seconds of a catalog duration (`80m`, `30s`, 90). */
export function seconds(d: string | number): number {
  return typeof d === 'number' ? d : Math.round((parseDuration(d) ?? 0) / 1000);
}

/** GPUs per pod the parallelism asks for, when it says (tensor × dataLocal). */
export function podGpusOf(tensorParallel: number | undefined, p: ParallelismFile | undefined): number | undefined {
  const tensor = p?.tensor ?? tensorParallel;
  if (tensor === undefined && p?.dataLocal === undefined) return undefined;
  return (tensor ?? 1) * (p?.dataLocal ?? 1);
}

/** The resolved parallelism of one workload with `gpus` GPUs per pod. */
export function parallelismOf(gpus: number, tensorParallel: number | undefined, p: ParallelismFile | undefined): Parallelism {
  const written = p?.tensor ?? tensorParallel;
  const tensor = written ?? Math.max(1, Math.floor(gpus / (p?.dataLocal ?? 1)));
  return {
    tensor,
    tensorShown: written !== undefined || tensor > 1,
    ...(p?.data !== undefined ? { data: p.data } : {}),
    ...(p?.dataLocal !== undefined ? { dataLocal: p.dataLocal } : {}),
    ...(p?.pipeline !== undefined ? { pipeline: p.pipeline } : {}),
    ...(p?.expert !== undefined ? { expert: p.expert } : {}),
    ...(p?.rpcPort !== undefined ? { rpcPort: p.rpcPort } : {}),
  };
}

/**
 * KServe selects its data-parallel presets only for a workload with a `worker`, so data
 * parallelism always renders one (a LeaderWorkerSet of data/dataLocal pods; just the leader when
 * they are equal); pipeline > 1 puts each stage in its own pod.
 */
export function needsWorker(p: Parallelism): boolean {
  return p.data !== undefined || (p.pipeline ?? 1) > 1;
}

export function envList(env: EnvFile | undefined): EnvVar[] {
  return Object.entries(env ?? {}).map(([name, v]) => (typeof v === 'object' ? { name, valueFrom: v as JsonObject } : { name, value: String(v) }));
}

export function extrasOf(w: { env?: EnvFile; args?: string[]; runAsRoot?: boolean } | undefined): WorkloadExtras {
  return { env: envList(w?.env), args: w?.args ?? [], ...(w?.runAsRoot !== undefined ? { runAsRoot: w.runAsRoot } : {}) };
}

type ProbeFile = { delay?: string | number; period?: string | number; timeout?: string | number; failures?: number; scheme?: 'HTTP' | 'HTTPS' };

function probeOf(p: ProbeFile | undefined): Probe | undefined {
  if (!p) return undefined;
  return {
    ...(p.delay !== undefined ? { initialDelaySeconds: seconds(p.delay) } : {}),
    ...(p.period !== undefined ? { periodSeconds: seconds(p.period) } : {}),
    ...(p.timeout !== undefined ? { timeoutSeconds: seconds(p.timeout) } : {}),
    ...(p.failures !== undefined ? { failureThreshold: p.failures } : {}),
    ...(p.scheme ? { scheme: p.scheme } : {}),
  };
}

/** `startup: 80m` → a startup probe polling every 10 s that gives up after 80 minutes. */
export function startupProbe(budget: string | number, period: string | number = 10): Probe {
  const every = Math.max(1, seconds(period));
  return { periodSeconds: every, failureThreshold: Math.max(1, Math.ceil(seconds(budget) / every)) };
}

/** The scheduler key's object form: its named config (default: KServe's) and the env of its pod's containers. */
function schedulerOf(s: Exclude<NonNullable<ModelFile['scheduler']>, string>): NonNullable<Production['scheduler']> {
  const { env, tokenizerEnv, ...rest } = s;
  return { ...rest, config: s.config ?? 'default', ...(env || tokenizerEnv ? { env: { main: envList(env), tokenizer: envList(tokenizerEnv) } } : {}) };
}

export function productionOf(m: ModelFile, kserve: string, defaultStartup?: string): Production {
  const s = m.probes?.startup;
  const startup = s === undefined ? (defaultStartup ? startupProbe(defaultStartup) : undefined) : typeof s === 'object' ? startupProbe(s.budget, s.period) : startupProbe(s);
  const liveness = probeOf(m.probes?.liveness);
  const readiness = probeOf(m.probes?.readiness);
  const sched = m.scheduler === undefined ? undefined : typeof m.scheduler === 'string' ? { config: m.scheduler } : schedulerOf(m.scheduler);
  return {
    probes: { ...(startup ? { startup } : {}), ...(liveness ? { liveness } : {}), ...(readiness ? { readiness } : {}) },
    runAsRoot: m.runAsRoot ?? false,
    ...(m.command ? { command: m.command } : {}),
    ...(sched ? { scheduler: sched } : {}),
    route: m.route ?? true,
    ...(m.lora
      ? {
          lora: {
            adapters: Object.entries(m.lora.adapters).map(([name, uri]) => ({ name, uri })),
            ...(m.lora.maxRank !== undefined ? { maxRank: m.lora.maxRank } : {}),
            ...(m.lora.maxAdapters !== undefined ? { maxAdapters: m.lora.maxAdapters } : {}),
            ...(m.lora.maxCpuAdapters !== undefined ? { maxCpuAdapters: m.lora.maxCpuAdapters } : {}),
            downloads: Object.entries(m.lora.download ?? {}).flatMap(([name, d]): Download[] => {
              const claim = /^pvc:\/\/([^/]+)\/?(.*)$/.exec(m.lora?.adapters[name] ?? '');
              if (!claim) return [];
              return [{ from: d.from, claim: claim[1] ?? '', subPath: claim[2] ?? '', size: String(d.size), ...(d.storageClass ? { storageClass: d.storageClass } : {}), accessMode: d.accessMode ?? 'ReadWriteMany', image: `kserve/storage-initializer:${kserve}` }];
            }),
          },
        }
      : {}),
    ...(m.kvCacheOffload
      ? {
          kvCacheOffload: {
            cpu: String(m.kvCacheOffload.cpu),
            ...(m.kvCacheOffload.evictionPolicy ? { evictionPolicy: m.kvCacheOffload.evictionPolicy } : {}),
            ...(m.kvCacheOffload.disk !== undefined ? { disk: String(m.kvCacheOffload.disk) } : {}),
            ...(m.kvCacheOffload.claim ? { claim: m.kvCacheOffload.claim } : {}),
          },
        }
      : {}),
    ...(m.dra
      ? {
          dra: {
            deviceClass: m.dra.deviceClass,
            count: m.dra.count ?? 1,
            ...(m.dra.container ? { container: m.dra.container } : {}),
            ...(m.dra.selector ? { selector: m.dra.selector } : {}),
          },
        }
      : {}),
    ...(m.serviceAccount ? { serviceAccount: m.serviceAccount } : {}),
    sidecars: { before: (m.sidecars?.before ?? []) as JsonObject[], after: (m.sidecars?.after ?? []) as JsonObject[] },
  };
}
