/**
 * Cross-field rules the schema cannot say. Each rule is a small named function that returns
 * issues located at the field to change, with what is wrong and how to fix it.
 */
import type { Issue } from '../errors.js';
import type { Environment } from '../model/types.js';
import { isDnsLabel, suggestDnsLabel } from '../model/names.js';
import { WELL_KNOWN_CONFIGS } from '../model/kserve.js';
import type { CatalogDocument, PathKey } from './document.js';
import type { CatalogFile, ModelFile } from './schema.js';
import { hardwareOf, parseProfileRef, withDefaults } from './normalize.js';
import { PRODUCTION_RULES } from './rules-production.js';
import { RUNTIME_RULES } from './rules-runtime.js';
import { own } from './lookup.js';
import { kubernetesMetadata } from '../metadata/rules.js';
import { pathsStayInside } from './paths.js';
import { prerequisiteRules } from '../prerequisites/rules.js';

/** `env` is the catalog normalized, when it normalizes (so a rule that judges what generate delivers need not normalize it again). */
type Rule = (c: CatalogFile, doc: CatalogDocument, env?: Environment) => Issue[];

/** Path of a model field: where the model sets it, else where `defaults` does. */
function origin(c: CatalogFile, key: string, field: keyof ModelFile): PathKey[] {
  const set = own(c.models, key)?.[field] !== undefined;
  return set || !c.defaults || !(field in c.defaults) ? ['models', key, field] : ['defaults', field];
}

function eachModel(c: CatalogFile, fn: (key: string, m: ModelFile, merged: ReturnType<typeof withDefaults>) => Issue[]): Issue[] {
  return Object.entries(c.models).flatMap(([key, m]) => fn(key, m, withDefaults(c.defaults, m)));
}

const modelNames: Rule = (c, doc) =>
  Object.keys(c.models)
    .filter((key) => !isDnsLabel(key))
    .map((key) =>
      doc.at(['models', key], `"${key}" is not a valid LLMInferenceService name (a DNS-1123 label: at most 63 lower-case letters, digits or "-", starting and ending with a letter or digit) — rename the key, e.g. "${suggestDnsLabel(key)}", and set \`name: ${key}\` if clients must keep sending that id`, { onKey: true }),
    );

const profilesExist: Rule = (c, doc) =>
  eachModel(c, (key, _m, merged) => {
    if (!merged.profile) return [];
    const { name, gpus } = parseProfileRef(merged.profile);
    const issues: Issue[] = [];
    if (!own(c.profiles, name)) {
      const known = Object.keys(c.profiles ?? {});
      issues.push(doc.at(origin(c, key, 'profile'), `unknown profile "${name}" — ${known.length ? `use one of ${known.join(', ')}` : 'define it under `profiles:` at the top of the catalog'}`));
    }
    if (gpus !== undefined && merged.gpus !== undefined && merged.gpus !== gpus) {
      issues.push(doc.at(origin(c, key, 'gpus'), `gpus: ${merged.gpus} contradicts profile "${merged.profile}" (${gpus} GPUs) — keep one of them`));
    }
    return issues;
  });

const gpusMatchAccelerator: Rule = (c, doc) =>
  eachModel(c, (key, _m, merged) => {
    const hw = hardwareOf(merged, c.profiles);
    if (hw.accelerator === 'cpu' && hw.gpus > 0) {
      return [doc.at(origin(c, key, merged.gpus !== undefined ? 'gpus' : 'profile'), `a cpu model cannot ask for ${hw.gpus} GPUs — drop gpus, or set accelerator: nvidia or amd`)];
    }
    return [];
  });

const prefillNeedsPrefillDecode: Rule = (c, doc) =>
  eachModel(c, (key, _m, merged) =>
    merged.prefill && merged.router !== 'prefill-decode'
      ? [doc.at(origin(c, key, 'prefill'), `prefill settings need router: prefill-decode (the router is ${merged.router ?? 'scheduler'}) — set router: prefill-decode or remove prefill`)]
      : [],
  );

const presetsKnown: Rule = (c, doc) => {
  const known = new Set([...Object.keys(c.presets ?? {}), ...WELL_KNOWN_CONFIGS]);
  return eachModel(c, (key, _m, merged) =>
    (merged.presets ?? []).flatMap((p, i) =>
      known.has(p)
        ? []
        : [doc.at([...origin(c, key, 'presets'), i], `unknown preset "${p}" — define it under \`presets:\` in this catalog or use a well-known KServe config (${Object.keys(c.presets ?? {}).concat('kserve-config-llm-…').join(', ')})`)],
    ),
  );
};

const downloadNeedsPvc: Rule = (c, doc) =>
  eachModel(c, (key, m) => {
    if (m.download && !(m.uri ?? '').startsWith('pvc://')) {
      return [doc.at(['models', key, 'download'], `download fills a PersistentVolumeClaim, so it needs a pvc:// uri (uri is ${m.uri}) — set uri: pvc://<claim>/<path> or remove download`)];
    }
    return [];
  });

/** Models downloading into one claim share one PersistentVolumeClaim, so they must describe it alike. */
const sharedClaimsAgree: Rule = (c, doc) => {
  const first = new Map<string, [string, string]>();
  const issues: Issue[] = [];
  for (const [key, m] of Object.entries(c.models)) {
    const claim = m.download && /^pvc:\/\/([^/]+)/.exec(m.uri ?? '')?.[1];
    if (!m.download || !claim) continue;
    const shape = JSON.stringify([String(m.download.size), m.download.storageClass ?? '', m.download.accessMode ?? '']);
    const seen = first.get(claim);
    if (!seen) first.set(claim, [key, shape]);
    else if (seen[1] !== shape) {
      issues.push(doc.at(['models', key, 'download'], `claim "${claim}" is also filled by model ${seen[0]} with a different size, storageClass or accessMode — one PersistentVolumeClaim serves both, so make the download settings equal`));
    }
  }
  return issues;
};

const autoscalingExclusive: Rule = (c, doc) =>
  eachModel(c, (key, m, merged) => {
    const issues: Issue[] = [];
    if (merged.autoscaling && m.replicas !== undefined) {
      issues.push(doc.at(['models', key, 'replicas'], 'replicas and autoscaling cannot both be set (KServe rejects spec.replicas with spec.scaling) — remove replicas'));
    }
    if (merged.autoscaling && merged.autoscaling.min > merged.autoscaling.max) {
      issues.push(doc.at([...origin(c, key, 'autoscaling'), 'min'], `autoscaling.min (${merged.autoscaling.min}) is above max (${merged.autoscaling.max}) — swap them`));
    }
    return issues;
  });

const deliveryNeedsRepo: Rule = (c, doc) =>
  c.delivery && (c.delivery.engine ?? 'none') !== 'none' && !c.delivery.repoURL
    ? [doc.at(['delivery'], `delivery.engine: ${c.delivery.engine} needs delivery.repoURL — the git URL ${c.delivery.engine === 'flux' ? 'Flux' : 'Argo CD'} reads this repository from`)]
    : [];

const presetsHaveNoBaseRefs: Rule = (c, doc) =>
  Object.entries(c.presets ?? {}).flatMap(([name, p]) =>
    'baseRefs' in p.spec ? [doc.at(['presets', name, 'spec', 'baseRefs'], 'an LLMInferenceServiceConfig cannot have baseRefs (KServe rejects recursive configs) — list both presets on the model instead')] : [],
  );

const imageKeysAreNames: Rule = (c, doc) =>
  Object.keys(c.images ?? {}).flatMap((name) =>
    /@|:[^/]*$/.test(name)
      ? [doc.at(['images', name], `"${name}" carries a tag or digest — the key is the upstream image name only (e.g. ghcr.io/llm-d/llm-d-cuda); put the tag in the value`, { onKey: true })]
      : [],
  );

const uriSupported: Rule = (c, doc) =>
  eachModel(c, (key, m) => {
    const issues: Issue[] = [];
    const uri = m.uri ?? '';
    if (uri.startsWith('gs://')) {
      issues.push(doc.at(['models', key, 'uri'], 'gs:// is not handled by the KServe llmisvc controller (hf, s3, pvc and oci are) — the model will not start; stage it on a PVC (pvc:// with download) instead', { severity: 'warning' }));
    }
    if (uri.startsWith('pvc://') && !/^pvc:\/\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?(\/|$)/.test(uri)) {
      issues.push(doc.at(['models', key, 'uri'], 'the claim in pvc://<claim>/<path> must be a DNS-1123 name'));
    }
    return issues;
  });

export const RULES: readonly Rule[] = [
  modelNames,
  profilesExist,
  gpusMatchAccelerator,
  prefillNeedsPrefillDecode,
  presetsKnown,
  downloadNeedsPvc,
  sharedClaimsAgree,
  autoscalingExclusive,
  deliveryNeedsRepo,
  presetsHaveNoBaseRefs,
  imageKeysAreNames,
  uriSupported,
  kubernetesMetadata,
  pathsStayInside,
  ...PRODUCTION_RULES,
  prerequisiteRules,
  ...RUNTIME_RULES,
];

export function runRules(c: CatalogFile, doc: CatalogDocument, env?: Environment): Issue[] {
  return RULES.flatMap((rule) => rule(c, doc, env));
}
