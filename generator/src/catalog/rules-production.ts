/**
 * Rules for the production short keys: what KServe's webhook would refuse about parallelism, said
 * early and at the catalog key (the admission checks judge the rendered object later), plus the
 * shapes the schema cannot say (extended resource names, exclusive keys).
 */
import type { Issue } from '../errors.js';
import type { CatalogDocument, PathKey } from './document.js';
import type { CatalogFile, ModelFile } from './schema.js';
import { hardwareOf, withDefaults } from './normalize.js';
import { podGpusOf } from './workload.js';

type Rule = (c: CatalogFile, doc: CatalogDocument) => Issue[];
/** A model with the defaults under it (normalize.ts withDefaults: merged once per model, shared by every rule; these rules read none of the keys it merges deeply). */
type Merged = ModelFile;

/** Where a model sets a key, else where `defaults` does. */
function at(c: CatalogFile, key: string, field: string): PathKey[] {
  const own = (c.models[key] as Record<string, unknown> | undefined)?.[field] !== undefined;
  return own || !c.defaults || !(field in c.defaults) ? ['models', key, field] : ['defaults', field];
}

const PIPELINE_PRESETS = ['kserve-config-llm-worker-pipeline-parallel', 'kserve-config-llm-decode-worker-pipeline-parallel', 'kserve-config-llm-prefill-worker-pipeline-parallel'];

function divisors(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
}

/** One workload's parallelism (`what` names it in messages). */
function workloadIssues(
  c: CatalogFile,
  doc: CatalogDocument,
  base: PathKey[],
  gpus: number,
  gpusWritten: boolean,
  tensorParallel: number | undefined,
  p: Merged['parallelism'],
  what: string,
  pipelinePreset: string,
): Issue[] {
  const issues: Issue[] = [];
  const pp = [...base, 'parallelism'];
  if (p?.tensor !== undefined && tensorParallel !== undefined && p.tensor !== tensorParallel) {
    issues.push(doc.at([...base, 'tensorParallel'], `tensorParallel: ${tensorParallel} contradicts parallelism.tensor: ${p.tensor} — they are the same setting; keep one`));
  }
  if (p?.data !== undefined && p.dataLocal === undefined) {
    issues.push(doc.at([...pp, 'data'], `data: ${p.data} needs dataLocal (the data-parallel ranks per pod; KServe refuses one without the other) — add dataLocal, e.g. dataLocal: ${p.data <= 8 ? p.data : 8}`));
  }
  if (p?.dataLocal !== undefined && p.data === undefined) {
    issues.push(doc.at([...pp, 'dataLocal'], `dataLocal: ${p.dataLocal} needs data (the data-parallel ranks in total; KServe refuses one without the other) — add data: ${p.dataLocal} for one pod, or a multiple of ${p.dataLocal} for several`));
  }
  if (p?.data !== undefined && p.dataLocal !== undefined && p.data % p.dataLocal !== 0) {
    issues.push(doc.at([...pp, 'data'], `data: ${p.data} is not a multiple of dataLocal: ${p.dataLocal} — each pod holds dataLocal ranks, so use data: ${Math.max(1, Math.round(p.data / p.dataLocal)) * p.dataLocal}`));
  }
  if (p?.pipeline !== undefined && (p.data !== undefined || p.dataLocal !== undefined)) {
    issues.push(doc.at([...pp, 'pipeline'], 'pipeline cannot be combined with data/dataLocal (KServe refuses both at once) — choose pipeline stages or data-parallel ranks'));
  }
  if ((p?.pipeline ?? 1) > 1 && p?.data === undefined && p?.dataLocal === undefined && !Object.keys(c.presets ?? {}).includes(pipelinePreset)) {
    issues.push(doc.at([...pp, 'pipeline'], `pipeline: ${p!.pipeline} needs an LLMInferenceServiceConfig named ${pipelinePreset} (KServe v0.20 selects it but ships none, so the model would wait for it forever) — define it under \`presets:\`, or use tensor or data parallelism`));
  }
  if (p?.expert && p.data === undefined) {
    issues.push(doc.at([...pp, 'expert'], 'expert parallelism takes effect only with data parallelism (KServe’s single-pod preset ignores it) — add data and dataLocal, or remove expert'));
  }
  const tensor = p?.tensor ?? tensorParallel;
  const local = p?.dataLocal ?? 1;
  if (tensor !== undefined && gpus === 0) {
    issues.push(doc.at(p?.tensor !== undefined ? [...pp, 'tensor'] : [...base, 'tensorParallel'], `tensor parallelism ${tensor} needs GPUs but the ${what} has none — set gpus, or drop it`));
    return issues;
  }
  if (gpus === 0) return issues;
  const wanted = podGpusOf(tensorParallel, p);
  const tensorPath = p?.tensor !== undefined ? [...pp, 'tensor'] : [...base, 'tensorParallel'];
  if (gpusWritten && wanted !== undefined && wanted !== gpus) {
    if (p?.data === undefined && tensor !== undefined && gpus % tensor !== 0) {
      issues.push(doc.at(tensorPath, `${gpus} GPUs per pod do not divide by tensor parallelism ${tensor} — use a divisor of ${gpus} (${divisors(gpus).join(', ')}) or change gpus`));
    } else if (p?.data === undefined && tensor !== undefined) {
      const copies = gpus / tensor;
      issues.push(doc.at(tensorPath, `${gpus} GPUs per pod with tensor parallelism ${tensor} leave ${gpus - tensor} idle — KServe runs ${copies} copies in one pod only through data parallelism: write parallelism: {tensor: ${tensor}, data: ${copies}, dataLocal: ${copies}}, or tensorParallel: ${gpus}`));
    } else {
      issues.push(doc.at(tensorPath, `${gpus} GPUs per pod, but tensor ${tensor ?? 1} × dataLocal ${local} = ${wanted} — make them agree (GPUs per pod = tensor × dataLocal), or drop gpus`));
    }
  }
  if (!gpusWritten && tensor === undefined && gpus % local !== 0) {
    issues.push(doc.at([...pp, 'dataLocal'], `dataLocal: ${local} does not divide the ${gpus} GPUs per pod — set parallelism.tensor`));
  }
  return issues;
}

const parallelismRules: Rule = (c, doc) =>
  Object.entries(c.models).flatMap(([key, own]) => {
    const m: Merged = withDefaults(c.defaults, own);
    const hw = hardwareOf(m, c.profiles);
    const gpusWritten = m.gpus !== undefined || /:\d+$/.test(m.profile ?? '');
    const issues = workloadIssues(c, doc, base(c, key, ['parallelism', 'tensorParallel']), hw.gpus, gpusWritten, m.tensorParallel, m.parallelism, 'model', m.router === 'prefill-decode' ? PIPELINE_PRESETS[1]! : PIPELINE_PRESETS[0]!);
    if (m.prefill) {
      const pg = m.prefill.gpus ?? podGpusOf(m.prefill.tensorParallel, m.prefill.parallelism) ?? hw.gpus;
      issues.push(...workloadIssues(c, doc, [...at(c, key, 'prefill')], pg, m.prefill.gpus !== undefined || gpusWritten, m.prefill.tensorParallel, m.prefill.parallelism, 'prefill', PIPELINE_PRESETS[2]!));
    }
    return issues;
  });

/** The model's own path when it sets one of `fields`, else defaults' when defaults does. */
function base(c: CatalogFile, key: string, fields: string[]): PathKey[] {
  const own = fields.some((f) => (c.models[key] as Record<string, unknown> | undefined)?.[f] !== undefined);
  const inDefaults = c.defaults && fields.some((f) => f in c.defaults!);
  return own || !inDefaults ? ['models', key] : ['defaults'];
}

const EXTENDED = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

const resourceKeys: Rule = (c, doc) => {
  const issues: Issue[] = [];
  const check = (r: Record<string, unknown> | undefined, path: PathKey[]) => {
    if (!r) return;
    for (const k of Object.keys(r)) {
      if (['cpu', 'memory', 'requests', 'limits', 'rdma'].includes(k)) continue;
      if (!EXTENDED.test(k)) {
        issues.push(doc.at([...path, k], `unknown key "${k}" — resources take cpu, memory, requests, limits, rdma, or an extended resource named domain/name (e.g. example.com/fpga: 1)`, { onKey: true }));
      } else if (/^(nvidia\.com|amd\.com)\/gpu$/.test(k)) {
        issues.push(doc.at([...path, k], `${k} comes from gpus/profile — write gpus: ${String(r[k])} instead`, { onKey: true }));
      }
    }
    if ((r.cpu !== undefined || r.memory !== undefined) && (r.requests !== undefined || r.limits !== undefined)) {
      issues.push(doc.at([...path, r.cpu !== undefined ? 'cpu' : 'memory'], 'write either {cpu, memory} (requests = limits) or {requests, limits}, not both', { onKey: true }));
    }
  };
  check(c.defaults?.resources as Record<string, unknown> | undefined, ['defaults', 'resources']);
  for (const [key, m] of Object.entries(c.models)) check(m.resources as Record<string, unknown> | undefined, ['models', key, 'resources']);
  for (const [name, p] of Object.entries(c.profiles ?? {})) check(p.resources as Record<string, unknown> | undefined, ['profiles', name, 'resources']);
  return issues;
};

const routeNeedsScheduler: Rule = (c, doc) =>
  Object.entries(c.models).flatMap(([key, own]) => {
    const m: Merged = withDefaults(c.defaults, own);
    const router = m.router ?? 'scheduler';
    const issues: Issue[] = [];
    if (m.route === false && router !== 'scheduler' && router !== 'prefill-decode') {
      issues.push(doc.at(at(c, key, 'route'), `route: false keeps the scheduler without a route, but the router is ${router} — use router: none for no route at all, or router: scheduler`));
    }
    if (m.scheduler !== undefined && router !== 'scheduler' && router !== 'prefill-decode') {
      issues.push(doc.at(at(c, key, 'scheduler'), `a scheduler configuration needs router: scheduler or prefill-decode (the router is ${router}) — remove scheduler or change the router`));
    }
    if (m.serviceAccount && m.hfTokenSecret) {
      issues.push(doc.at(at(c, key, 'serviceAccount'), `the pods run as ServiceAccount ${m.serviceAccount}, so KServe’s storage-initializer reads the HF token from its secrets, not from hfTokenSecret ${m.hfTokenSecret} — list Secret ${m.hfTokenSecret} in that ServiceAccount’s secrets`, { severity: 'warning' }));
    }
    if (m.dra && (m.gpus !== undefined || /:\d+$/.test(m.profile ?? ''))) {
      issues.push(doc.at(at(c, key, 'dra'), 'with dra the devices come from a ResourceClaim, not a GPU limit — drop gpus (or the profile’s :count) and set dra.count'));
    }
    for (const name of Object.keys(m.lora?.download ?? {})) {
      const uri = m.lora?.adapters[name];
      if (!uri?.startsWith('pvc://')) {
        issues.push(doc.at([...at(c, key, 'lora'), 'download', name], `lora.download fills a PersistentVolumeClaim for a pvc:// adapter, but ${uri ? `adapter ${name} is ${uri}` : `there is no adapter ${name}`} — add ${name}: pvc://<claim>/<path> under lora.adapters, or remove this download`, { onKey: true }));
      }
    }
    for (const [name, uri] of Object.entries(m.lora?.adapters ?? {})) {
      if (name === (m.name ?? '') || uri === m.uri) issues.push(doc.at([...at(c, key, 'lora'), 'adapters', name], 'a LoRA adapter must differ from the base model (KServe refuses the same name) — rename it', { onKey: true }));
    }
    return issues;
  });

export const PRODUCTION_RULES: readonly Rule[] = [parallelismRules, resourceKeys, routeNeedsScheduler];
