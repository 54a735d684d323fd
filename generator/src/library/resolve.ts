/**
 * `use: <entry>` → the model keys the entry implies, under the model's own: uri, served name,
 * the entry's vLLM flags before the model's args, the startup budget, and — when the profile
 * gives no count — the GPUs per replica the entry lists for the profile's accelerator class.
 * Precedence: defaults < library entry < templates < the model. Runs after templates. CPU and
 * memory requests come from the entry only where model, templates, defaults and profile give none.
 */
import type { Issue } from '../errors.js';
import type { CatalogDocument, PathKey } from '../catalog/document.js';
import type { CatalogFile, ModelFile } from '../catalog/schema.js';
import { hardwareOf, parseProfileRef, withDefaults } from '../catalog/normalize.js';
import { startupFor, weightsGB, type Dtype } from './entry.js';
import { classOf } from './gpus.js';
import type { Library } from './load.js';
import { derivedRequests, withRequests } from './resources.js';

/** What the fit check knows about a model's size. */
export interface SizeFacts {
  /** The library entry id, or the model key for its own params. */
  readonly label: string;
  readonly dtype: Dtype;
  readonly weightsGB: number;
  readonly attentionHeads?: number;
  readonly kvHeads?: number;
  /** Longest context the entry's model serves. */
  readonly maxContext?: number;
}

function closest(word: string, ids: readonly string[]): string[] {
  const parts = word.split(/[-.]/).filter((p) => p.length > 1);
  return ids.filter((id) => parts.some((p) => id.includes(p))).slice(0, 5);
}

export function expandLibrary(c: CatalogFile, doc: CatalogDocument, lib: Library): { catalog: CatalogFile; sizes: Record<string, SizeFacts>; issues: Issue[] } {
  const issues: Issue[] = [];
  const sizes: Record<string, SizeFacts> = {};
  const models: Record<string, ModelFile> = {};
  for (const [key, m] of Object.entries(c.models)) {
    if (!m.use) {
      if (!m.uri) issues.push(doc.at(['models', key, 'uri'], 'is required — add uri: (or use: <library entry>, e.g. use: qwen2.5-7b-instruct)'));
      const params = m.params ?? c.defaults?.params;
      const dtype = m.dtype ?? c.defaults?.dtype ?? 'bf16';
      if (params !== undefined) sizes[key] = { label: key, dtype, weightsGB: weightsGB({ params, dtype }) };
      models[key] = m;
      continue;
    }
    const e = lib.get(m.use);
    if (!e) {
      const near = closest(m.use, [...lib.keys()]);
      issues.push(doc.at(['models', key, 'use'], `unknown library entry "${m.use}" — ${near.length ? `did you mean ${near.join(', ')}?` : 'see the built-in entries in the README, or add it to environments/library.yaml'}`));
      models[key] = m;
      continue;
    }
    const profileRef = m.profile ?? c.defaults?.profile;
    const out: ModelFile = { ...m };
    if (!out.uri) out.uri = e.uri;
    // The entry's served name, also when the model keeps its own copy of the weights (pvc://…).
    const repoId = /^hf:\/\/([^?#]+?)\/?$/.exec(e.uri)?.[1];
    if (!out.name && (e.name || (m.uri && repoId))) out.name = e.name ?? repoId;
    out.args = [...e.args, ...(m.args ?? [])];
    const startup = e.startup ?? startupFor(e.params);
    if (startup && m.probes?.startup === undefined) out.probes = { ...m.probes, startup };
    if (m.params === undefined) out.params = e.params;
    if (m.dtype === undefined) out.dtype = e.dtype;
    const gpusGiven = m.gpus !== undefined || c.defaults?.gpus !== undefined;
    if (profileRef) {
      const ref = parseProfileRef(profileRef);
      const profile = c.profiles?.[ref.name];
      if (profile && ref.gpus === undefined && !gpusGiven && !m.parallelism && m.tensorParallel === undefined) {
        const cls = classOf(ref.name, profile.nodeSelector, profile.accelerator);
        const at: PathKey[] = m.profile ? ['models', key, 'profile'] : ['defaults', 'profile'];
        const listed = Object.entries(e.gpus).map(([k, n]) => `${k}: ${n}`).join(', ');
        if (!cls) {
          issues.push(doc.at(at, `cannot tell which accelerator class profile "${ref.name}" is, so ${m.use} has no GPU count for it — write the count (profile: ${ref.name}:N; ${m.use} lists ${listed}), name the profile like a class, or give it a well-known nvidia.com/gpu.product nodeSelector`));
        } else if (e.gpus[cls] === undefined) {
          issues.push(doc.at(at, `${m.use} lists no GPU count for ${cls} (it lists ${listed}) — write profile: ${ref.name}:N, or pick a profile of a listed class`));
        } else if (cls !== 'cpu') out.gpus = e.gpus[cls];
      }
    } else if (!gpusGiven && m.accelerator === undefined && c.defaults?.accelerator === undefined && e.gpus.cpu !== undefined) {
      out.accelerator = 'cpu';
    }
    // CPU and memory requests where the catalog gives none (resources.ts): the entry's, else from the size.
    const merged = withDefaults(c.defaults, out);
    const profileResources = profileRef ? c.profiles?.[parseProfileRef(profileRef).name]?.resources : undefined;
    const requests = e.resources ?? derivedRequests(weightsGB(e), hardwareOf(merged, c.profiles).gpus);
    const resources = withRequests(merged.resources ?? profileResources, requests);
    if (resources) out.resources = resources;
    const dtype = out.dtype ?? e.dtype;
    sizes[key] = { label: m.use, dtype, weightsGB: dtype === e.dtype ? weightsGB(e) : weightsGB({ params: e.params, dtype }), ...(e.attentionHeads ? { attentionHeads: e.attentionHeads } : {}), ...(e.kvHeads ? { kvHeads: e.kvHeads } : {}), maxContext: e.maxContext };
    models[key] = out;
  }
  return { catalog: { ...c, models }, sizes, issues };
}
