/**
 * KServe v0.20.0's create-time admission rules for LLMInferenceService and
 * LLMInferenceServiceConfig (serving.kserve.io/v1alpha2), as named rules over the JSON object —
 * our own code, written from reading the validating webhooks (pkg/apis/serving/v1alpha2/
 * llm_inference_service_validation.go, llm_inference_service_config_validation.go,
 * pkg/validation/confidential.go) and the two refusals of the llmisvc controller that no webhook
 * makes (workload_lora.go, workload_storage.go: the model never starts). Update-only rules
 * (immutable parallelism size) do not apply to a create. Pure.
 */
import type { WebhookRule, Finding } from './types.js';

type O = Record<string, unknown>;
const isObj = (v: unknown): v is O => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): O | undefined => (isObj(v) ? v : undefined);
/** An array as it is, anything else as one shared empty list (rules only read them). */
const list = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : EMPTY);
const has = (o: O | undefined, k: string) => o !== undefined && o[k] !== undefined && o[k] !== null;
const int = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const esc = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

/** What a rule that finds nothing returns (no array per rule and object). */
const NONE: readonly Finding[] = [];
const EMPTY: readonly unknown[] = [];

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VARIANT_COST = /^\d+(\.\d+)?$/;
const KBS_RESOURCE_ID = /^kbs:\/\/\/[a-zA-Z0-9_.-]+\/[a-zA-Z0-9_.-]+\/[a-zA-Z0-9_.-]+$/;
const DRA = 'serving.kserve.io/exp-dra-';
const DRA_CLASS = `${DRA}device-class`;
const DRA_COUNT = `${DRA}device-count`;
const DRA_CEL = `${DRA}cel-selector`;
const DRA_CONTAINER = `${DRA}container-name`;

const isDataParallel = (p: O) => (int(p.data) ?? 0) > 0 || (int(p.dataLocal) ?? 0) > 0;
const isPipelineParallel = (p: O) => (int(p.pipeline) ?? 0) > 0;

const LLMISVC = { apiVersion: 'serving.kserve.io/v1alpha2', kind: 'LLMInferenceService' } as const;
const CONFIG = { apiVersion: 'serving.kserve.io/v1alpha2', kind: 'LLMInferenceServiceConfig' } as const;

/** Router: refs vs inline spec vs managed gateway vs gateway refs. */
const routerCrossField: WebhookRule = {
  name: 'llmisvc.router.cross-field',
  ...LLMISVC,
  check(_o, { spec }) {
    const router = obj(spec.router);
    const route = obj(router?.route);
    const http = obj(route?.http);
    if (!router || !route || !http) return NONE;
    const out: Finding[] = [];
    const refs = list(http.refs);
    const gateway = obj(router.gateway);
    const gwRefs = list(gateway?.refs);
    if (refs.length && has(http, 'spec')) {
      out.push({ path: '/spec/router/route/http', msg: "unsupported configuration: cannot use both custom HTTPRoute refs ('spec.router.route.http.refs') and an inline route spec ('spec.router.route.http.spec'); choose one" });
    }
    if (refs.length && gateway && gwRefs.length === 0) {
      out.push({ path: '/spec/router/route/http/refs', msg: "unsupported configuration: custom HTTP routes ('spec.router.route.http.refs') cannot be used with a managed gateway ('spec.router.gateway'); either remove 'spec.router.route.http.refs' or set 'spec.router.gateway.refs'" });
    }
    const parentRefs = list(obj(http.spec)?.parentRefs);
    if (parentRefs.length && gwRefs.length) {
      const key = (r: unknown) => `${str(obj(r)?.namespace)}\0${str(obj(r)?.name)}\0${str(obj(r)?.sectionName)}`;
      const a = parentRefs.map(key).sort();
      const b = gwRefs.map(key).sort();
      if (a.length === b.length && a.every((k, i) => k === b[i])) {
        out.push({ path: '/spec/router/route/http/spec/parentRefs', msg: 'spec.router.route.http.spec.parentRefs can be omitted when spec.router.gateway.refs is set; parentRefs will be derived automatically from gateway refs', severity: 'warning' });
      } else {
        out.push({ path: '/spec/router/route/http/spec', msg: "unsupported configuration: managed HTTP route spec ('spec.router.route.http.spec') has parentRefs that conflict with custom gateway refs ('spec.router.gateway.refs'); either remove 'spec.router.gateway.refs' or 'spec.router.route.http.spec.parentRefs'" });
      }
    }
    return out;
  },
};

/** Traffic splitting: group and weight together, Gateway API only, not with route refs. */
const trafficFields: WebhookRule = {
  name: 'llmisvc.router.traffic',
  ...LLMISVC,
  check(_o, { spec }) {
    const router = obj(spec.router);
    const route = obj(router?.route);
    if (!router || !route) return NONE;
    const group = has(route, 'group');
    const weight = has(route, 'weight');
    if (!group && !weight) return NONE;
    if (has(router, 'ingress')) return [{ path: '/spec/router/route/group', msg: 'traffic splitting requires Gateway API routing; the controller manages HTTPRoutes, not Ingress resources' }];
    const out: Finding[] = [];
    if (weight && !group) out.push({ path: '/spec/router/route/group', msg: 'Required value: weight requires group' });
    if (group && !weight) out.push({ path: '/spec/router/route/weight', msg: 'Required value: group requires weight' });
    if (out.length) return out;
    if (list(obj(route.http)?.refs).length) out.push({ path: '/spec/router/route/group', msg: 'traffic splitting cannot be used with custom HTTPRoute refs; controller-managed routes (route.http.spec or route.http: {}) are required' });
    return out;
  },
};

/** Multi-node workers need data or pipeline parallelism; data and dataLocal go together. */
const parallelism: WebhookRule = {
  name: 'llmisvc.parallelism',
  ...LLMISVC,
  check(_o, { workloads }) {
    const out: Finding[] = [];
    for (const { at, w } of workloads) {
      const p = obj(w.parallelism);
      const worker = has(w, 'worker');
      const workerMsg = 'when worker is specified, parallelism must be configured for either data parallelism or pipeline parallelism';
      if (worker && !p) {
        out.push({ path: `${at}/worker`, msg: workerMsg });
        continue;
      }
      if (!p) continue;
      if (worker && !isDataParallel(p) && !isPipelineParallel(p)) out.push({ path: `${at}/worker`, msg: workerMsg });
      if (isPipelineParallel(p) && isDataParallel(p)) out.push({ path: `${at}/parallelism`, msg: 'cannot set both pipeline parallelism and data parallelism (data or dataLocal) simultaneously' });
      if (has(p, 'data') && !has(p, 'dataLocal')) out.push({ path: `${at}/parallelism/dataLocal`, msg: 'dataLocal must be set when data is set' });
      if (has(p, 'dataLocal') && !has(p, 'data')) out.push({ path: `${at}/parallelism/data`, msg: 'data must be set when dataLocal is set' });
      for (const [k, what] of [['pipeline', 'pipeline parallelism'], ['data', 'data parallelism'], ['dataLocal', 'dataLocal parallelism']] as const) {
        const v = int(p[k]);
        if (v !== undefined && v <= 0) out.push({ path: `${at}/parallelism/${k}`, msg: `${what} must be greater than 0` });
      }
    }
    return out;
  },
};

/** The scheduler: replicas > 0; config is inline xor ref, a non-trivial inline, a named ref. */
function schedulerRule(name: string, kind: typeof LLMISVC | typeof CONFIG, withConfig: boolean): WebhookRule {
  return {
    name,
    ...kind,
    check(_o, { spec }) {
      const scheduler = obj(obj(spec.router)?.scheduler);
      if (!scheduler) return NONE;
      const at = '/spec/router/scheduler';
      const out: Finding[] = [];
      const replicas = int(scheduler.replicas);
      if (replicas !== undefined && replicas <= 0) out.push({ path: `${at}/replicas`, msg: 'scheduler replicas must be greater than zero' });
      const config = obj(scheduler.config);
      if (!withConfig || !config) return out;
      const inline = has(config, 'inline');
      const ref = obj(config.ref);
      if (!inline && !ref) out.push({ path: `${at}/config`, msg: 'either inline or ref is required' });
      if (inline && ref) out.push({ path: `${at}/config`, msg: 'both inline and ref are set, either specify inline or ref' });
      if (inline && JSON.stringify(config.inline).length < 3) out.push({ path: `${at}/config/inline`, msg: 'inline configuration is invalid' });
      if (ref && !str(ref.name)) out.push({ path: `${at}/config/ref/name`, msg: 'name is empty' });
      return out;
    },
  };
}

/** Autoscaling of each workload (the webhook's own copy of the CRD's CEL rules, plus variantCost and KEDA). */
const scaling: WebhookRule = {
  name: 'llmisvc.scaling',
  ...LLMISVC,
  check(_o, { workloads }) {
    const out: Finding[] = [];
    for (const { at, w } of workloads) {
      const s = obj(w.scaling);
      if (!s) continue;
      const sp = `${at}/scaling`;
      if (has(w, 'replicas')) out.push({ path: sp, msg: 'scaling and replicas are mutually exclusive; use scaling for autoscaled deployments or replicas for static deployments' });
      const min = int(s.minReplicas);
      const max = int(s.maxReplicas) ?? 0;
      if (min !== undefined && min > max) out.push({ path: `${sp}/minReplicas`, msg: `minReplicas (${min}) cannot exceed maxReplicas (${max})` });
      const wva = obj(s.wva);
      if (!wva) {
        out.push({ path: `${sp}/wva`, msg: 'Required value: wva is required when scaling is configured; it provides the autoscaling mechanism' });
        continue;
      }
      const wp = `${sp}/wva`;
      const hpa = has(wva, 'hpa');
      const keda = obj(wva.keda);
      if (hpa && keda) out.push({ path: wp, msg: 'hpa and keda are mutually exclusive; choose one actuator backend' });
      if (!hpa && !keda) out.push({ path: wp, msg: 'Required value: either hpa or keda must be specified as the actuator backend' });
      const cost = str(wva.variantCost);
      if (cost && !VARIANT_COST.test(cost)) out.push({ path: `${wp}/variantCost`, msg: 'variantCost must be a non-negative numeric string (e.g., "10", "10.0", "0.5")' });
      const advanced = obj(keda?.advanced);
      if (advanced) {
        const sm = obj(advanced.scalingModifiers) ?? {};
        if (str(sm.formula) || str(sm.target) || str(sm.activationTarget) || str(sm.metricType)) out.push({ path: `${wp}/keda/advanced/scalingModifiers`, msg: 'Forbidden: scalingModifiers must not be set; WVA controls the scaling metric formula and logic' });
        if (str(obj(advanced.horizontalPodAutoscalerConfig)?.name)) out.push({ path: `${wp}/keda/advanced/horizontalPodAutoscalerConfig/name`, msg: 'Forbidden: horizontalPodAutoscalerConfig.name must not be set; the controller manages the HPA name' });
      }
      const idle = int(keda?.idleReplicaCount);
      if (keda && idle !== undefined) {
        if (min === undefined) out.push({ path: `${sp}/minReplicas`, msg: `Required value: minReplicas is required when idleReplicaCount is set; idleReplicaCount (${idle}) must be less than minReplicas` });
        else if (idle >= min) out.push({ path: `${wp}/keda/idleReplicaCount`, msg: `idleReplicaCount (${idle}) must be less than minReplicas (${min}); idleReplicaCount defines the replica floor when no triggers are active` });
      }
    }
    return out;
  },
};

/** Decode and prefill autoscale with the same actuator backend. */
const actuatorConsistency: WebhookRule = {
  name: 'llmisvc.scaling.actuator-consistency',
  ...LLMISVC,
  check(_o, { workloads }) {
    const [decode, prefill] = workloads.map(({ w }) => obj(obj(w.scaling)?.wva));
    if (!decode || !prefill) return NONE;
    const d = has(decode, 'hpa');
    const p = has(prefill, 'hpa');
    if (d === p) return NONE;
    const [db, pb] = d ? ['hpa', 'keda'] : ['keda', 'hpa'];
    return [{ path: '/spec/prefill/scaling/wva', msg: `decode and prefill must use the same actuator backend; decode uses ${db} but prefill uses ${pb} — mixing backends requires two separate metric pipelines and leads to independent, unsynchronised scaling decisions` }];
  },
};

/** LoRA limits and adapter names. */
const loraAdapters: WebhookRule = {
  name: 'llmisvc.model.lora',
  ...LLMISVC,
  check(o, { spec }) {
    const model = obj(spec.model);
    const lora = obj(model?.lora);
    if (!lora) return NONE;
    const at = '/spec/model/lora';
    const out: Finding[] = [];
    for (const k of ['maxRank', 'maxAdapters', 'maxCpuAdapters']) {
      const v = int(lora[k]);
      if (v !== undefined && v < 1) out.push({ path: `${at}/${k}`, msg: `${k} must be at least 1` });
    }
    const base = str(model?.name) || str(obj(o.metadata)?.name);
    const seen = new Map<string, number>();
    list(lora.adapters).forEach((a, i) => {
      const p = `${at}/adapters/${i}/name`;
      const name = str(obj(a)?.name);
      if (!name) return void out.push({ path: p, msg: 'Required value: adapter name is required' });
      if (name === '.' || name === '..') return void out.push({ path: p, msg: 'adapter name must not include "." or ".." (path traversal risk)' });
      const prev = seen.get(name);
      if (prev !== undefined) out.push({ path: p, msg: `duplicate name (same as adapters[${prev}])` });
      else seen.set(name, i);
      if (name === base) out.push({ path: p, msg: `adapter name must differ from base model name ${JSON.stringify(base)}` });
    });
    return out;
  },
};

/** KV-cache offloading: secondary tiers need cpu and exactly one backend each. */
const kvCacheOffloading: WebhookRule = {
  name: 'llmisvc.kv-cache-offloading',
  ...LLMISVC,
  check(_o, { workloads }) {
    const out: Finding[] = [];
    for (const { at, w } of workloads) {
      const kv = obj(w.kvCacheOffloading);
      const secondary = list(kv?.secondary);
      if (!kv || !secondary.length) continue;
      const kp = `${at}/kvCacheOffloading`;
      const cpu = kv.cpu;
      if (cpu === undefined || cpu === null || cpu === 0 || (typeof cpu === 'string' && /^[+-]?0*(\.0*)?[a-zA-Z]*$/.test(cpu))) out.push({ path: `${kp}/cpu`, msg: 'Required value: cpu must be set when secondary tiers are configured' });
      secondary.forEach((s, i) => {
        const p = `${kp}/secondary/${i}`;
        const fs = obj(obj(s)?.fileSystem);
        if (!fs) return void out.push({ path: `${p}/fileSystem`, msg: 'Required value: only fileSystem tiers are supported; fileSystem must be set' });
        const backends = ['emptyDir', 'pvc'].filter((k) => has(fs, k));
        if (backends.length === 0) return void out.push({ path: `${p}/fileSystem`, msg: 'Required value: exactly one of emptyDir or pvc must be set' });
        if (backends.length > 1) return void out.push({ path: `${p}/fileSystem`, msg: 'exactly one of emptyDir or pvc must be set; multiple are set' });
        const pvc = obj(fs.pvc);
        if (!pvc) return;
        const kinds = ['spec', 'ref'].filter((k) => has(pvc, k));
        if (kinds.length === 0) out.push({ path: `${p}/fileSystem/pvc`, msg: 'Required value: exactly one of spec or ref must be set' });
        else if (kinds.length > 1) out.push({ path: `${p}/fileSystem/pvc`, msg: 'exactly one of spec or ref must be set; multiple are set' });
        else if (has(pvc, 'ref') && !str(obj(pvc.ref)?.name)) out.push({ path: `${p}/fileSystem/pvc/ref/name`, msg: 'Required value: name is required' });
      });
    }
    return out;
  },
};

/** Managed DRA annotations (serving.kserve.io/exp-dra-*). */
const managedDRA: WebhookRule = {
  name: 'llmisvc.managed-dra-annotations',
  ...LLMISVC,
  check(o) {
    const ann = obj(obj(o.metadata)?.annotations);
    // Every check below is about one of these annotations (most objects have none of them).
    if (!ann || !(DRA_CLASS in ann || DRA_COUNT in ann || DRA_CEL in ann || DRA_CONTAINER in ann)) return NONE;
    const at = (k: string) => `/metadata/annotations/${esc(k)}`;
    const out: Finding[] = [];
    const hasClass = DRA_CLASS in ann;
    if (!hasClass && (DRA_COUNT in ann || DRA_CEL in ann || DRA_CONTAINER in ann)) out.push({ path: at(DRA_CLASS), msg: `Required value: ${DRA_CLASS} is required to enable managed DRA when ${DRA_COUNT}, ${DRA_CEL}, or ${DRA_CONTAINER} is set` });
    if (hasClass) {
      const v = str(ann[DRA_CLASS]).trim();
      if (!v) out.push({ path: at(DRA_CLASS), msg: 'device class must not be empty' });
      else if (v.length > 253 || !DNS1123_SUBDOMAIN.test(v)) out.push({ path: at(DRA_CLASS), msg: 'device class must be a DNS subdomain (lower case alphanumerics, "-" and ".", at most 253 characters)' });
    }
    if (DRA_COUNT in ann) {
      const raw = str(ann[DRA_COUNT]);
      const t = raw.trim();
      if (t && !/^[+-]?\d+$/.test(t)) out.push({ path: at(DRA_COUNT), msg: `invalid ${DRA_COUNT} value ${JSON.stringify(raw)}: not an integer` });
      else if (t && Number(t) < 1) out.push({ path: at(DRA_COUNT), msg: `invalid ${DRA_COUNT} value ${JSON.stringify(raw)}: must be >= 1` });
    }
    if (DRA_CEL in ann && !str(ann[DRA_CEL]).split('\n').some((l) => l.trim())) out.push({ path: at(DRA_CEL), msg: 'cel selector must contain at least one non-empty CEL expression' });
    if (DRA_CONTAINER in ann) {
      const v = str(ann[DRA_CONTAINER]).trim();
      if (!v) out.push({ path: at(DRA_CONTAINER), msg: 'container name must not be empty' });
      else if (v.length > 63 || !DNS1123_LABEL.test(v)) out.push({ path: at(DRA_CONTAINER), msg: 'container name must be a DNS label (lower case alphanumerics and "-", at most 63 characters)' });
    }
    return out;
  },
};

/** Confidential models: a KBS resource id; OCI and PVC uris ignore it (warnings). */
const confidential: WebhookRule = {
  name: 'llmisvc.model.confidential',
  ...LLMISVC,
  check(_o, { spec }) {
    const model = obj(spec.model);
    const c = obj(model?.confidential);
    if (!c || c.enabled !== true) return NONE;
    const uri = str(model?.uri);
    const out: Finding[] = [];
    if (uri.startsWith('oci://')) out.push({ path: '/spec/model/confidential', msg: 'confidential has no effect with OCI URIs; OCI image decryption is handled by the container runtime via runtimeClassName', severity: 'warning' });
    if (uri.startsWith('pvc://')) out.push({ path: '/spec/model/confidential', msg: 'confidential has no effect with PVC URIs; the storage-initializer is not injected for PVC volumes', severity: 'warning' });
    const id = str(c.resourceId);
    if (id && !KBS_RESOURCE_ID.test(id)) out.push({ path: '/spec/model/confidential/resourceId', msg: 'must be in the format kbs:///<repo>/<type>/<tag>' });
    return out;
  },
};

/** The controller serves only these model uri schemes; anything else never starts. */
const modelUriScheme: WebhookRule = {
  name: 'llmisvc.controller.model-uri-scheme',
  ...LLMISVC,
  check(_o, { spec }) {
    const uri = str(obj(spec.model)?.uri);
    if (!uri || /^(hf|s3|pvc|oci|oci\+native):\/\//.test(uri)) return NONE;
    return [{ path: '/spec/model/uri', msg: `unsupported schema in model URI: ${uri} — the v0.20.0 llmisvc controller serves hf://, s3://, pvc://, oci:// and oci+native:// only (the model never starts)` }];
  },
};

/** LoRA adapters load from hf://, s3:// or pvc:// only. */
const loraUriScheme: WebhookRule = {
  name: 'llmisvc.controller.lora-uri-scheme',
  ...LLMISVC,
  check(_o, { spec }) {
    const adapters = list(obj(obj(spec.model)?.lora)?.adapters);
    if (!adapters.length) return NONE;
    const out: Finding[] = [];
    adapters.forEach((a, i) => {
      const uri = str(obj(a)?.uri);
      const name = str(obj(a)?.name);
      const scheme = /^([^:]*):\/\//.exec(uri)?.[1];
      const p = `/spec/model/lora/adapters/${i}/uri`;
      if (scheme === undefined) out.push({ path: p, msg: `LoRA adapter ${JSON.stringify(name)}: invalid URI ${JSON.stringify(uri)}` });
      else if (scheme === 'oci') out.push({ path: p, msg: `LoRA adapter ${JSON.stringify(name)}: oci:// is not supported for LoRA adapters; use hf://, s3://, or pvc:// instead` });
      else if (!['hf', 's3', 'pvc'].includes(scheme)) out.push({ path: p, msg: `LoRA adapter ${JSON.stringify(name)}: unsupported URI scheme "${scheme}://"; supported schemes are hf://, s3://, pvc://` });
    });
    return out;
  },
};

/** LLMInferenceServiceConfig: no baseRefs (no recursive presets). */
const configBaseRefs: WebhookRule = {
  name: 'llmisvcconfig.base-refs',
  ...CONFIG,
  check(_o, { spec }) {
    return list(spec.baseRefs).length ? [{ path: '/spec/baseRefs', msg: 'Forbidden: baseRefs is not a permitted field in LLMInferenceServiceConfig, support for recursive refs has been disabled' }] : NONE;
  },
};

/** The rules of KServe v0.20.0, in the order its webhooks run them. */
export const KSERVE_V0_20_0: readonly WebhookRule[] = [
  routerCrossField,
  trafficFields,
  parallelism,
  schedulerRule('llmisvc.router.scheduler', LLMISVC, true),
  scaling,
  actuatorConsistency,
  loraAdapters,
  kvCacheOffloading,
  managedDRA,
  confidential,
  modelUriScheme,
  loraUriScheme,
  configBaseRefs,
  schedulerRule('llmisvcconfig.router.scheduler', CONFIG, false),
];
