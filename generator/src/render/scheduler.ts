/**
 * `router` of an LLMInferenceService, with the llm-d scheduler's plugin configuration picked by
 * name (`scheduler: precise-prefix-cache`). The named configurations are EndpointPickerConfigs
 * written inline, as KServe's samples do; `latency-predictor` makes KServe add its
 * latency-predictor preset (it looks for the predicted-latency-producer plugin). Pure.
 */
import type { JsonObject, Model } from '../model/types.js';
import { combined } from './shape.js';

type Sched = NonNullable<Model['production']['scheduler']>;

const PICKER_API = 'inference.networking.x-k8s.io/v1alpha1';

function picker(plugins: JsonObject[], profile: JsonObject[], apiVersion = PICKER_API): JsonObject {
  return { apiVersion, kind: 'EndpointPickerConfig', plugins, schedulingProfiles: [{ name: 'default', plugins: profile }] };
}

const activeRequests: JsonObject = { type: 'active-request-scorer', parameters: { requestTimeout: '2m', idleThreshold: 0, maxBusyScore: 0 } };

/** Named configurations → EndpointPickerConfig. */
export function schedulerConfig(s: Sched): JsonObject | undefined {
  switch (s.config) {
    case 'default':
      return undefined;
    case 'prefix-cache':
      return picker(
        [{ type: 'single-profile-handler' }, { type: 'prefix-cache-scorer' }, { type: 'kv-cache-utilization-scorer' }, { type: 'queue-scorer' }, { type: 'max-score-picker' }],
        [{ pluginRef: 'prefix-cache-scorer', weight: 3 }, { pluginRef: 'kv-cache-utilization-scorer', weight: 2 }, { pluginRef: 'queue-scorer', weight: 2 }, { pluginRef: 'max-score-picker' }],
      );
    case 'precise-prefix-cache':
      return picker(
        [
          { type: 'single-profile-handler' },
          {
            type: 'precise-prefix-cache-scorer',
            parameters: {
              tokenProcessorConfig: { blockSize: s.blockSize ?? 16, hashSeed: s.hashSeed ?? '42' },
              kvEventsConfig: { zmqEndpoint: 'tcp://*:5557' },
              indexerConfig: { kvBlockIndexConfig: { enableMetrics: true, metricsLoggingInterval: 60_000_000_000 } },
            },
          },
          { type: 'kv-cache-utilization-scorer' },
          { type: 'queue-scorer' },
          activeRequests,
          { type: 'max-score-picker' },
        ],
        [
          { pluginRef: 'precise-prefix-cache-scorer', weight: 3 },
          { pluginRef: 'kv-cache-utilization-scorer', weight: 2 },
          { pluginRef: 'queue-scorer', weight: 2 },
          { pluginRef: 'active-request-scorer', weight: 3 },
          { pluginRef: 'max-score-picker' },
        ],
      );
    case 'load-aware':
      return picker(
        [{ type: 'single-profile-handler' }, { type: 'kv-cache-utilization-scorer' }, { type: 'queue-scorer' }, activeRequests, { type: 'max-score-picker' }],
        [{ pluginRef: 'kv-cache-utilization-scorer', weight: 2 }, { pluginRef: 'queue-scorer', weight: 2 }, { pluginRef: 'active-request-scorer', weight: 3 }, { pluginRef: 'max-score-picker' }],
      );
    case 'latency-predictor':
      return picker(
        [
          { type: 'approx-prefix-cache-producer', parameters: { maxPrefixTokensToMatch: 262144 } },
          { type: 'predicted-latency-producer' },
          { type: 'prefix-cache-affinity-filter', name: 'loose-affinity-filter', parameters: { affinityThreshold: 0.8 } },
          { type: 'latency-scorer' },
          { type: 'weighted-random-picker' },
        ],
        [{ pluginRef: 'predicted-latency-producer' }, { pluginRef: 'loose-affinity-filter' }, { pluginRef: 'latency-scorer' }, { pluginRef: 'weighted-random-picker' }],
        'llm-d.ai/v1alpha1',
      );
    default:
      return undefined;
  }
}

function schedulerSpec(m: Model): JsonObject {
  const s = m.production.scheduler;
  if (!s) return {};
  const inline = s.configMap ? undefined : schedulerConfig(s);
  // Containers by name: KServe merges them into its scheduler preset's (main, tokenizer).
  const containers = (['main', 'tokenizer'] as const).filter((c) => s.env?.[c].length).map((name) => ({ name, env: s.env![name].map((e) => ({ ...e })) }));
  const out: JsonObject = {};
  if (s.replicas !== undefined) out.replicas = s.replicas;
  if (s.configMap) out.config = { ref: { name: s.configMap, key: 'epp' } };
  else if (inline) out.config = { inline };
  if (containers.length) out.template = { containers };
  return out;
}

export function routerOf(m: Model): JsonObject {
  const routed: JsonObject = m.production.route ? { route: {}, gateway: {} } : {};
  switch (m.router) {
    case 'scheduler':
    case 'prefill-decode':
      return { router: combined(routed, { scheduler: schedulerSpec(m) }) };
    case 'direct':
      return { router: { route: {} } };
    case 'none':
      return {};
  }
}
