/**
 * Two catalogs → what changed, in the words a reviewer uses: per environment, which models
 * were added, removed, scaled, re-pointed, stopped… and which environment settings moved.
 * Pure; the same list feeds commit messages, PR bodies and `llm-gitops diff`.
 */
import type { Catalog, Environment, Model } from '../model/types.js';

/** One setting that moved. Without from/to (values too long to quote) it just "changed". */
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
}

/** Values longer than this are not quoted in a phrase. */
const QUOTE_MAX = 40;

function show(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

function field(name: string, from: unknown, to: unknown): FieldChange[] {
  const [a, b] = [show(from), show(to)];
  if (a === b) return [];
  const quotable = (a ?? '').length <= QUOTE_MAX && (b ?? '').length <= QUOTE_MAX && typeof from !== 'object' && typeof to !== 'object';
  return [quotable ? { field: name, ...(a !== undefined ? { from: a } : {}), ...(b !== undefined ? { to: b } : {}) } : { field: name }];
}

function scale(m: Model): string {
  return m.autoscaling ? `${m.autoscaling.min}–${m.autoscaling.max} (${m.autoscaling.engine})` : String(m.replicas ?? 1);
}

const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : 'none');

/** Model fields in the order a reviewer cares about; anything not named here is "spec". */
function modelFields(a: Model, b: Model): FieldChange[] {
  const placement = (m: Model) => ({ n: m.hardware.nodeSelector, t: m.hardware.tolerations, r: m.hardware.runtimeClassName, x: m.hardware.resourceName });
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
      out.push({ env, kind: a ? 'removed' : 'added', fields: [] });
      const models = (a ?? b)!.models;
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
