/**
 * KServe's admission rules by KServe version: an object is checked against the rules of the
 * version its environment pins. A version without ported rules is said so, never passed.
 */
import { KSERVE_V0_20_0 } from './kserve-v0.20.0.js';
import type { Finding, RuleInput, WebhookRule, Workload } from './types.js';

export type { Finding, RuleInput, WebhookRule, Workload };

const BY_VERSION: Readonly<Record<string, readonly WebhookRule[]>> = { 'v0.20.0': KSERVE_V0_20_0 };

/** The KServe versions whose webhook rules are ported. */
export const WEBHOOK_VERSIONS = Object.keys(BY_VERSION);

/** Each version's rules by apiVersion, then kind, in their order (worked out once: most objects are kinds no rule covers). */
const BY_KIND = new Map(
  Object.entries(BY_VERSION).map(([version, rules]) => {
    const byKind = new Map<string, Map<string, WebhookRule[]>>();
    for (const r of rules) {
      let kinds = byKind.get(r.apiVersion);
      if (!kinds) byKind.set(r.apiVersion, (kinds = new Map()));
      kinds.set(r.kind, [...(kinds.get(r.kind) ?? []), r]);
    }
    return [version, byKind] as const;
  }),
);
const NO_RULES: readonly WebhookRule[] = [];

type O = Record<string, unknown>;
const isObj = (v: unknown): v is O => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What every rule reads of `obj`: its spec, the decode workload (the spec) then the prefill one when present. */
export function ruleInput(obj: O): RuleInput {
  const spec = isObj(obj.spec) ? obj.spec : {};
  const decode: Workload = { at: '/spec', w: spec };
  return { spec, workloads: isObj(spec.prefill) ? [decode, { at: '/spec/prefill', w: spec.prefill }] : [decode] };
}

/** A finding with the rule that made it. */
export interface WebhookFinding extends Finding {
  readonly rule: string;
}

/**
 * The findings of KServe `version`'s rules on `obj`; `undefined` when the object is a kind those
 * rules cover but the version has no ported rules (the caller says so).
 */
export function checkWebhooks(obj: Record<string, unknown>, version: string): WebhookFinding[] | undefined {
  const byKind = BY_KIND.get(version);
  if (!byKind) {
    const covered = obj.apiVersion === 'serving.kserve.io/v1alpha2' && (obj.kind === 'LLMInferenceService' || obj.kind === 'LLMInferenceServiceConfig');
    return covered ? undefined : [];
  }
  const { apiVersion, kind } = obj;
  const rules = (typeof apiVersion === 'string' && typeof kind === 'string' && byKind.get(apiVersion)?.get(kind)) || NO_RULES;
  if (!rules.length) return [];
  const input = ruleInput(obj);
  const out: WebhookFinding[] = [];
  for (const r of rules) {
    const found = r.check(obj, input);
    for (let i = 0; i < found.length; i++) out.push({ ...found[i]!, rule: `kserve ${version} ${r.name}` });
  }
  return out;
}
