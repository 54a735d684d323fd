/**
 * Two catalogs → what changed, in the words a reviewer uses: per environment, which models
 * were added, removed, scaled, re-pointed, stopped… and which environment settings moved.
 * Pure; the same list feeds commit messages, PR bodies and `llm-gitops diff`.
 */
import type { Catalog, Environment, Model } from '../model/types.js';

/** One setting that moved, with its old and new value (cut to a phrase's length); without either it was unset or set. */
export interface FieldChange {
  readonly field: string;
  readonly from?: string;
  readonly to?: string;
  /** For members of a set (a preset, an image override): the member came or went. */
  readonly kind?: 'added' | 'removed';
}

export interface SemanticChange {
  readonly env: string;
  /** The model (LLMInferenceService) concerned; undefined for the environment's own settings. */
  readonly model?: string;
  readonly kind: 'added' | 'removed' | 'changed';
  /** For `changed`: what moved, in a stable order. */
  readonly fields: readonly FieldChange[];
  /** For an environment added or removed: how many models it holds (each also listed on its own). */
  readonly models?: number;
}

/** A value is cut to this many characters in a phrase ("hf://meta-llama/Llama-…-Instruct"). */
const QUOTE_MAX = 40;
/** An object field names at most this many of the settings inside it that moved. */
const LEAVES_MAX = 3;

/** `text` cut in the middle, so both the start and the end (a tag, a size) stay readable. */
function cut(text: string): string {
  if (text.length <= QUOTE_MAX) return text;
  const head = Math.ceil((QUOTE_MAX - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (QUOTE_MAX - 1 - head))}`;
}

function show(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  // A list of words (args): as a command line reads.
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return `[${v.join(' ')}]`;
  return JSON.stringify(v);
}

/** The settings inside an object, by dotted path; lists are one value each. */
function leaves(v: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) leaves(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (v !== undefined && v !== null) out.set(prefix, v);
  return out;
}

/** Two lists of words cut to what differs, plus the word before it (a flag's name): `[… --max-model-len 4096 …]`. */
function listPair(a: readonly string[], b: readonly string[]): [string, string] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  const from = Math.max(0, start - 1);
  const part = (xs: readonly string[]) => `[${from > 0 ? '… ' : ''}${xs.slice(from, xs.length - end).join(' ')}${end > 0 ? ' …' : ''}]`;
  return [part(a), part(b)];
}

function change(name: string, from: unknown, to: unknown): FieldChange {
  const words = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  const [a, b] = words(from) && words(to) ? listPair(from, to) : [show(from), show(to)];
  return { field: name, ...(a !== undefined ? { from: cut(a) } : {}), ...(b !== undefined ? { to: cut(b) } : {}) };
}

/** What moved in one field: its old → new value, or for an object the settings inside it that moved. */
function field(name: string, from: unknown, to: unknown): FieldChange[] {
  if (show(from) === show(to)) return [];
  const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(from) && !isObject(to)) return [change(name, from, to)];
  const [x, y] = [leaves(from, '', new Map()), leaves(to, '', new Map())];
  const moved = [...new Set([...x.keys(), ...y.keys()])].sort().filter((k) => show(x.get(k)) !== show(y.get(k)));
  const out = moved.slice(0, LEAVES_MAX).map((k) => change(k ? `${name}.${k}` : name, x.get(k), y.get(k)));
  if (moved.length > LEAVES_MAX) out.push({ field: `${name} (${moved.length - LEAVES_MAX} more settings)` });
  return out;
}

function scale(m: Model): string {
  return m.autoscaling ? `${m.autoscaling.min}–${m.autoscaling.max} (${m.autoscaling.engine})` : String(m.replicas ?? 1);
}

const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : 'none');

/** Model fields in the order a reviewer cares about; anything not named here is "spec". */
function modelFields(a: Model, b: Model): FieldChange[] {
  const placement = (m: Model) => ({ nodeSelector: m.hardware.nodeSelector, tolerations: m.hardware.tolerations, runtimeClassName: m.hardware.runtimeClassName, resourceName: m.hardware.resourceName });
  return [
    ...field('stopped', a.stopped, b.stopped),
    ...field('replicas', scale(a), scale(b)),
    ...field('uri', a.uri, b.uri),
    ...field('model name', a.servedName, b.servedName),
    ...field('accelerator', a.hardware.accelerator, b.hardware.accelerator),
    ...field('gpus', a.hardware.gpus, b.hardware.gpus),
    ...field('placement', placement(a), placement(b)),
    ...field('tensor parallel', a.tensorParallel, b.tensorParallel),
    ...field('router', a.router, b.router),
    ...field('prefill', a.prefill, b.prefill),
    ...field('image', a.image, b.image),
    ...field('presets', list(a.presets), list(b.presets)),
    ...field('resources', a.resources, b.resources),
    ...field('args', a.args, b.args),
    ...field('env', a.env, b.env),
    ...field('HF token secret', a.hfTokenSecret, b.hfTokenSecret),
    ...field('download', a.download, b.download),
    ...field('labels', a.labels, b.labels),
    ...field('annotations', a.annotations, b.annotations),
    ...field('spec', a.spec, b.spec),
  ];
}

function members<T>(name: string, a: ReadonlyMap<string, T>, b: ReadonlyMap<string, T>, value: (t: T) => unknown): FieldChange[] {
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys.flatMap((k): FieldChange[] => {
    const [x, y] = [a.get(k), b.get(k)];
    if (x === undefined) return [{ field: `${name} ${k}`, kind: 'added' }];
    if (y === undefined) return [{ field: `${name} ${k}`, kind: 'removed' }];
    return field(`${name} ${k}`, value(x), value(y));
  });
}

function environmentFields(a: Environment, b: Environment): FieldChange[] {
  const presets = (e: Environment) => new Map(e.presets.map((p) => [p.name, p]));
  const images = (e: Environment) => new Map(Object.entries(e.images));
  return [
    ...field('namespace', a.namespace, b.namespace),
    ...field('platform mode', a.platform.mode, b.platform.mode),
    ...field('KServe', a.platform.kserve, b.platform.kserve),
    ...field('platform source', a.platform.source, b.platform.source),
    ...field('delivery engine', a.delivery.engine, b.delivery.engine),
    ...field('delivery', { ...a.delivery, engine: '' }, { ...b.delivery, engine: '' }),
    ...field('health job', a.health, b.health),
    ...members('preset', presets(a), presets(b), (p) => p),
    ...members('image override', images(a), images(b), (i) => i),
  ];
}

function byName<T extends { readonly name: string }>(xs: readonly T[]): Map<string, T> {
  return new Map(xs.map((x) => [x.name, x]));
}

/** Every change from `before` to `after`, environments and models sorted by name. */
export function compareCatalogs(before: Catalog, after: Catalog): SemanticChange[] {
  const [envsA, envsB] = [byName(before.environments), byName(after.environments)];
  const names = [...new Set([...envsA.keys(), ...envsB.keys()])].sort();
  const out: SemanticChange[] = [];
  for (const env of names) {
    const [a, b] = [envsA.get(env), envsB.get(env)];
    if (!a || !b) {
      const models = (a ?? b)!.models;
      out.push({ env, kind: a ? 'removed' : 'added', fields: [], models: models.length });
      for (const m of models) out.push({ env, model: m.name, kind: a ? 'removed' : 'added', fields: [] });
      continue;
    }
    const fields = environmentFields(a, b);
    if (fields.length) out.push({ env, kind: 'changed', fields });
    const [modelsA, modelsB] = [byName(a.models), byName(b.models)];
    for (const model of [...new Set([...modelsA.keys(), ...modelsB.keys()])].sort()) {
      const [x, y] = [modelsA.get(model), modelsB.get(model)];
      if (!x || !y) out.push({ env, model, kind: x ? 'removed' : 'added', fields: [] });
      else {
        const changed = modelFields(x, y);
        if (changed.length) out.push({ env, model, kind: 'changed', fields: changed });
      }
    }
  }
  return out;
}
