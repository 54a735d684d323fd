/**
 * KServe's admission rules by KServe version: an object is checked against the rules of the
 * version its environment pins. A version without ported rules is said so, never passed.
 */
import { KSERVE_V0_20_0 } from './kserve-v0.20.0.js';
import type { Finding, WebhookRule } from './types.js';

export type { Finding, WebhookRule };

const BY_VERSION: Readonly<Record<string, readonly WebhookRule[]>> = { 'v0.20.0': KSERVE_V0_20_0 };

/** The KServe versions whose webhook rules are ported. */
export const WEBHOOK_VERSIONS = Object.keys(BY_VERSION);

/** A finding with the rule that made it. */
export interface WebhookFinding extends Finding {
  readonly rule: string;
}

/**
 * The findings of KServe `version`'s rules on `obj`; `undefined` when the object is a kind those
 * rules cover but the version has no ported rules (the caller says so).
 */
export function checkWebhooks(obj: Record<string, unknown>, version: string): WebhookFinding[] | undefined {
  const rules = BY_VERSION[version];
  const covered = obj.apiVersion === 'serving.kserve.io/v1alpha2' && (obj.kind === 'LLMInferenceService' || obj.kind === 'LLMInferenceServiceConfig');
  if (!rules) return covered ? undefined : [];
  const out: WebhookFinding[] = [];
  for (const r of rules) {
    if (r.apiVersion !== obj.apiVersion || r.kind !== obj.kind) continue;
    for (const f of r.check(obj)) out.push({ ...f, rule: `kserve ${version} ${r.name}` });
  }
  return out;
}
