/**
 * Versions of KServe's dependencies per KServe release, as KServe pins them in `kserve-deps.env`
 * (and installs them in hack/setup/quick-install/definitions/llmisvc/). A catalog may override
 * each one; a KServe version missing here needs explicit versions for what the tree installs.
 */
import type { PrerequisiteName } from './types.js';

type Pins = Readonly<Partial<Record<PrerequisiteName, string>>>;

export const SUPPORT: Readonly<Record<string, Pins>> = {
  'v0.20.0': {
    'cert-manager': 'v1.17.0',
    'gateway-api': 'v1.5.1',
    'inference-extension': 'v1.5.0',
    'envoy-gateway': 'v1.8.1',
    'envoy-ai-gateway': 'v1.0.0',
    leaderworkerset: 'v0.8.0',
    keda: '2.18.0',
  },
};

/** The pinned version of `name` for KServe `kserve`, if KServe pins one. */
export function pinnedVersion(kserve: string, name: PrerequisiteName): string | undefined {
  return SUPPORT[kserve]?.[name];
}

/** KServe versions with a support row (for messages). */
export const SUPPORTED_KSERVE = Object.keys(SUPPORT);
