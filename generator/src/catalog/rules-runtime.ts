/**
 * Rules about what will actually run: a KServe release llm-gitops supports, and pods that ask
 * the scheduler for the CPU and memory they need.
 */
import type { Issue } from '../errors.js';
import { kserveRelease, SUPPORTED_SENTENCE } from '../model/kserve.js';
import type { CatalogDocument, PathKey } from './document.js';
import type { CatalogFile } from './schema.js';
import { parseProfileRef, resourcesOf, withDefaults } from './normalize.js';
import { own } from './lookup.js';

type Rule = (c: CatalogFile, doc: CatalogDocument) => Issue[];

const kserveSupported: Rule = (c, doc) => {
  const version = c.platform?.kserve;
  if (version === undefined || kserveRelease(version)) return [];
  return [doc.at(['platform', 'kserve'], `KServe ${version} is not supported — ${SUPPORTED_SENTENCE}; set kserve: v0.20.0`)];
};

/** Without requests the pod lands on any node, and vLLM is evicted or OOM-killed there. */
const resourcesRequested: Rule = (c, doc) =>
  Object.entries(c.models).flatMap(([key, file]) => {
    const m = withDefaults(c.defaults, file);
    const profile = m.profile ? own(c.profiles, parseProfileRef(m.profile).name) : undefined;
    const requests = resourcesOf(m.resources ?? profile?.resources)?.requests ?? {};
    const missing = (['cpu', 'memory'] as const).filter((k) => requests[k] === undefined);
    if (!missing.length) return [];
    const path: PathKey[] = ['models', key];
    return [doc.at(path, `no ${missing.join(' or ')} request: the scheduler may put vLLM on a node without room for the model's weights and KV cache — set resources: {cpu, memory} on the model, under defaults, or in its profile`, { onKey: true, severity: 'warning' })];
  });

export const RUNTIME_RULES: readonly Rule[] = [kserveSupported, resourcesRequested];
