/**
 * KServe v0.20.0's webhook unit tests (pkg/apis/serving/v1alpha2/llm_inference_service_validation_test.go,
 * the create-time cases, named as there) turned into catalog entries written with the `spec:`
 * escape hatch (and `annotations:`): each goes through the real pipeline — catalog → normalize →
 * render — and the rendered LLMInferenceService through the API server's defaulting and CEL
 * (the real CRD) and our port of the webhook rules. Valid cases pass both; refused cases are
 * refused by the rule KServe refuses them with, at the path it names.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { admissionSchema, admit } from '../generator/src/admission/index.js';
import { checkWebhooks, ruleInput } from '../generator/src/admission/webhook/index.js';
import { loadCatalog } from '../generator/src/catalog/load.js';
import { renderPreset } from '../generator/src/render/environment.js';
import { renderLLMInferenceService } from '../generator/src/render/llmisvc.js';
import { KSERVE_SRC } from './helpers/repo.js';

type Raw = Record<string, unknown>;
const crd = parseAllDocuments(readFileSync(join(KSERVE_SRC, 'config/crd/full/llmisvc/serving.kserve.io_llminferenceservices.yaml'), 'utf8'), { version: '1.1' })[0]!.toJS() as Raw;
const tree = admissionSchema((((crd.spec as Raw).versions as Raw[]).find((v) => v.name === 'v1alpha2')!.schema as Raw).openAPIV3Schema as Raw)!;

/** A case: the catalog keys of one model, and what KServe says (rule name, message fragment). */
interface Case {
  readonly name: string;
  readonly model: Raw;
  readonly refused?: readonly (readonly [rule: string, fragment: string])[];
  readonly warns?: string;
  /** The API server's CEL refuses it before the webhook runs (see the note at its case). */
  readonly cel?: string;
}

const auto = (scaling: Raw, extra: Raw = {}): Raw => ({ spec: { replicas: null, scaling, ...extra } });
const hpa = (s: Raw = {}) => auto({ maxReplicas: 5, wva: { hpa: {} }, ...s });
const keda = (k: Raw, s: Raw = {}) => auto({ maxReplicas: 5, wva: { keda: k }, ...s });
const wva = (w: Raw, s: Raw = {}) => auto({ maxReplicas: 5, wva: w, ...s });
const scalingRule = 'llmisvc.scaling';
const lora = (l: Raw) => ({ spec: { model: { lora: l } } });
const adapter = (name: string, uri = `hf://org/${name.replace(/\./g, 'dot')}`) => ({ name, uri });
const DRA = 'serving.kserve.io/exp-dra-';
const dra = (a: Record<string, string>) => ({ annotations: Object.fromEntries(Object.entries(a).map(([k, v]) => [`${DRA}${k}`, v])) });
const draRule = 'llmisvc.managed-dra-annotations';
const kv = (k: Raw) => ({ spec: { kvCacheOffloading: k } });
const kvRule = 'llmisvc.kv-cache-offloading';
const emptyDir = { fileSystem: { emptyDir: { size: '100Gi' } } };
/** KEDA `advanced` without `scalingModifiers`: the CRD's rule `size(self.advanced.scalingModifiers.formula) == 0` has no such key to read. */
const NO_MODIFIERS = 'fails to evaluate (field not found: scalingModifiers)';

const CASES: readonly Case[] = [
  // TestValidateWorkloadScaling
  { name: 'valid: scaling with WVA + HPA', model: hpa({ minReplicas: 1, wva: { variantCost: '10.0', hpa: {} } }) },
  { name: 'valid: scaling with WVA + KEDA and idleReplicaCount', model: keda({ pollingInterval: 30, cooldownPeriod: 60, idleReplicaCount: 1 }, { minReplicas: 2, maxReplicas: 10 }) },
  { name: 'valid: no scaling configured', model: {} },
  { name: 'valid: scaling with only maxReplicas (no minReplicas)', model: hpa() },
  { name: 'valid: variantCost integer format', model: wva({ variantCost: '10', hpa: {} }) },
  { name: 'valid: variantCost decimal format', model: wva({ variantCost: '0.5', hpa: {} }) },
  { name: 'valid: HPA with behavior configured', model: wva({ hpa: { behavior: { scaleUp: { stabilizationWindowSeconds: 60 } } } }, { minReplicas: 1 }) },
  { name: 'valid: empty variantCost (uses default)', model: wva({ variantCost: '', hpa: {} }) },
  { name: 'valid: idleReplicaCount=1 minReplicas=2 (minimum valid combo)', model: keda({ idleReplicaCount: 1 }, { minReplicas: 2, maxReplicas: 10 }) },
  { name: 'valid: initialCooldownPeriod set', model: keda({ initialCooldownPeriod: 60 }) },
  { name: 'valid: fallback set', model: keda({ fallback: { failureThreshold: 3, replicas: 2 } }) },
  { name: 'valid: restoreToOriginalReplicaCount set in advanced', model: keda({ advanced: { restoreToOriginalReplicaCount: true } }), cel: NO_MODIFIERS },
  { name: 'error: scalingModifiers target set', model: keda({ advanced: { scalingModifiers: { target: '10' } } }), refused: [[scalingRule, 'scalingModifiers must not be set']] },
  { name: 'error: scalingModifiers activationTarget set', model: keda({ advanced: { scalingModifiers: { activationTarget: '1' } } }), refused: [[scalingRule, 'scalingModifiers must not be set']] },
  { name: 'error: scalingModifiers metricType set', model: keda({ advanced: { scalingModifiers: { metricType: 'AverageValue' } } }), refused: [[scalingRule, 'scalingModifiers must not be set']] },
  { name: 'error: both scalingModifiers and hpa name set (2 errors)', model: keda({ advanced: { scalingModifiers: { formula: 'wva_desired_replicas' }, horizontalPodAutoscalerConfig: { name: 'my-hpa' } } }), refused: [[scalingRule, 'scalingModifiers must not be set'], [scalingRule, 'horizontalPodAutoscalerConfig.name must not be set']] },
  { name: 'error: replicas and scaling both set', model: { spec: { replicas: 3, scaling: { maxReplicas: 5, wva: { hpa: {} } } } }, refused: [[scalingRule, 'scaling and replicas are mutually exclusive']] },
  { name: 'error: minReplicas > maxReplicas', model: hpa({ minReplicas: 10 }), refused: [[scalingRule, 'minReplicas (10) cannot exceed maxReplicas (5)']] },
  { name: 'error: scaling without WVA', model: auto({ maxReplicas: 5 }), refused: [[scalingRule, 'wva is required when scaling is configured']] },
  { name: 'error: WVA with both HPA and KEDA', model: wva({ hpa: {}, keda: {} }), refused: [[scalingRule, 'hpa and keda are mutually exclusive']] },
  { name: 'error: WVA with neither HPA nor KEDA', model: wva({}), refused: [[scalingRule, 'either hpa or keda must be specified']] },
  { name: 'error: invalid variantCost - alphabetic', model: wva({ variantCost: 'abc', hpa: {} }), refused: [[scalingRule, 'variantCost must be a non-negative numeric string']] },
  { name: 'error: invalid variantCost - negative', model: wva({ variantCost: '-5', hpa: {} }), refused: [[scalingRule, 'variantCost must be a non-negative numeric string']] },
  { name: 'error: invalid variantCost - multiple dots', model: wva({ variantCost: '1.2.3', hpa: {} }), refused: [[scalingRule, 'variantCost must be a non-negative numeric string']] },
  // The API server defaults minReplicas to 1 before the webhook runs, so it sees 1, not nil.
  { name: 'error: KEDA idleReplicaCount without minReplicas', model: keda({ idleReplicaCount: 1 }), refused: [[scalingRule, 'idleReplicaCount (1) must be less than minReplicas (1)']] },
  { name: 'error: KEDA idleReplicaCount >= minReplicas', model: keda({ idleReplicaCount: 3 }, { minReplicas: 2 }), refused: [[scalingRule, 'idleReplicaCount (3) must be less than minReplicas (2)']] },
  { name: 'error: KEDA idleReplicaCount == minReplicas', model: keda({ idleReplicaCount: 2 }, { minReplicas: 2 }), refused: [[scalingRule, 'idleReplicaCount (2) must be less than minReplicas (2)']] },
  { name: 'valid: scaling and worker both set with HPA (multi-node autoscaling)', model: { spec: { replicas: null, worker: {}, parallelism: { data: 2, dataLocal: 1 }, scaling: { maxReplicas: 5, wva: { hpa: {} } } } } },
  { name: 'valid: scaling and worker both set with KEDA (multi-node autoscaling)', model: { spec: { replicas: null, worker: {}, parallelism: { pipeline: 2 }, scaling: { maxReplicas: 3, wva: { keda: {} } } } } },
  { name: 'valid: worker set with replicas (no scaling) - multi-node with static replicas', model: { spec: { worker: {}, replicas: 3, parallelism: { pipeline: 2 } } } },
  { name: 'valid: worker set with no replicas and no scaling - multi-node defaults', model: { spec: { replicas: null, worker: {}, parallelism: { data: 4, dataLocal: 2 } } } },
  // TestValidateScaling_PrefillWorkload, TestValidateActuatorConsistency
  { name: 'error on prefill scaling uses correct field path', model: { spec: { prefill: { scaling: { minReplicas: 10, maxReplicas: 2, wva: { hpa: {} } } } } }, refused: [[scalingRule, 'minReplicas (10) cannot exceed maxReplicas (2)']] },
  { name: 'both decode and prefill with matching HPA backends', model: { spec: { replicas: null, scaling: { maxReplicas: 4, wva: { hpa: {} } }, prefill: { scaling: { maxReplicas: 2, wva: { hpa: {} } } } } } },
  { name: 'both decode and prefill with matching KEDA backends', model: { spec: { replicas: null, scaling: { maxReplicas: 4, wva: { keda: {} } }, prefill: { scaling: { maxReplicas: 2, wva: { keda: {} } } } } } },
  { name: 'prefill: scalingModifiers set - rejected', model: { spec: { prefill: { scaling: { maxReplicas: 2, wva: { keda: { advanced: { scalingModifiers: { formula: 'x' } } } } } } } }, refused: [[scalingRule, 'scalingModifiers must not be set']] },
  { name: 'prefill: horizontalPodAutoscalerConfig name set - rejected', model: { spec: { prefill: { scaling: { maxReplicas: 2, wva: { keda: { advanced: { scalingModifiers: {}, horizontalPodAutoscalerConfig: { name: 'h' } } } } } } } }, refused: [[scalingRule, 'horizontalPodAutoscalerConfig.name must not be set']], cel: 'fails to evaluate (field not found: formula)' },
  { name: 'prefill: keda advanced with only behavior - allowed', model: { spec: { prefill: { scaling: { maxReplicas: 2, wva: { keda: { advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 30 } } } } } } } } } }, cel: NO_MODIFIERS },
  { name: 'errors on both decode and prefill are reported', model: { spec: { replicas: null, scaling: { minReplicas: 9, maxReplicas: 3, wva: { hpa: {} } }, prefill: { scaling: { minReplicas: 8, maxReplicas: 2, wva: { hpa: {} } } } } }, refused: [[scalingRule, 'minReplicas (9) cannot exceed maxReplicas (3)'], [scalingRule, 'minReplicas (8) cannot exceed maxReplicas (2)']] },
  { name: 'valid: decode HPA, no prefill scaling', model: { spec: { replicas: null, scaling: { maxReplicas: 4, wva: { hpa: {} } }, prefill: { replicas: 1 } } } },
  { name: 'valid: no prefill at all', model: hpa() },
  { name: 'valid: prefill scaling only, decode has no scaling', model: { spec: { prefill: { scaling: { maxReplicas: 2, wva: { keda: {} } } } } } },
  { name: 'error: decode HPA, prefill KEDA', model: { spec: { replicas: null, scaling: { maxReplicas: 4, wva: { hpa: {} } }, prefill: { scaling: { maxReplicas: 2, wva: { keda: {} } } } } }, refused: [['llmisvc.scaling.actuator-consistency', 'decode uses hpa but prefill uses keda']] },
  { name: 'error: decode KEDA, prefill HPA', model: { spec: { replicas: null, scaling: { maxReplicas: 4, wva: { keda: {} } }, prefill: { scaling: { maxReplicas: 2, wva: { hpa: {} } } } } }, refused: [['llmisvc.scaling.actuator-consistency', 'decode uses keda but prefill uses hpa']] },
  { name: 'valid: scaling+worker on prefill workload (multi-node autoscaling)', model: { spec: { prefill: { worker: {}, parallelism: { data: 2, dataLocal: 1 }, scaling: { maxReplicas: 2, wva: { hpa: {} } } } } } },
  // TestValidateLoRAAdapters (base model name "base")
  { name: 'no lora', model: { name: 'base' } },
  { name: 'valid single adapter', model: { name: 'base', ...lora({ adapters: [adapter('adapter-1')] }) } },
  { name: 'adapter name missing', model: { name: 'base', ...lora({ adapters: [{ uri: 'hf://org/adapter-1' }] }) }, refused: [['llmisvc.model.lora', 'adapter name is required']] },
  { name: 'adapter name is dot (path traversal)', model: { name: 'base', ...lora({ adapters: [adapter('.')] }) }, refused: [['llmisvc.model.lora', 'path traversal']] },
  { name: 'adapter name is dotdot (path traversal)', model: { name: 'base', ...lora({ adapters: [adapter('..')] }) }, refused: [['llmisvc.model.lora', 'path traversal']] },
  { name: 'duplicate adapter names', model: { name: 'base', ...lora({ adapters: [adapter('dup', 'hf://org/a1'), adapter('dup', 'hf://org/a2')] }) }, refused: [['llmisvc.model.lora', 'duplicate name (same as adapters[0])']] },
  { name: 'adapter name same as base model name', model: { name: 'base-model', ...lora({ adapters: [adapter('base-model')] }) }, refused: [['llmisvc.model.lora', 'adapter name must differ from base model name "base-model"']] },
  { name: 'maxRank zero is invalid', model: { name: 'base', ...lora({ maxRank: 0, adapters: [adapter('adapter-1')] }) }, refused: [['llmisvc.model.lora', 'maxRank must be at least 1']] },
  { name: 'maxAdapters zero is invalid', model: { name: 'base', ...lora({ maxAdapters: 0, adapters: [adapter('adapter-1')] }) }, refused: [['llmisvc.model.lora', 'maxAdapters must be at least 1']] },
  { name: 'maxCpuAdapters zero is invalid', model: { name: 'base', ...lora({ maxCpuAdapters: 0, adapters: [adapter('adapter-1')] }) }, refused: [['llmisvc.model.lora', 'maxCpuAdapters must be at least 1']] },
  { name: 'all lora params valid', model: { name: 'base', ...lora({ maxRank: 128, maxAdapters: 4, maxCpuAdapters: 8, adapters: [adapter('adapter-1'), adapter('adapter-2')] }) } },
  // TestValidateManagedDRAAnnotations
  { name: 'no DRA annotations', model: {} },
  { name: 'valid: device class only', model: dra({ 'device-class': 'gpu.nvidia.com' }) },
  { name: 'valid: device class + device count + cel selectors', model: dra({ 'device-class': 'gpu.nvidia.com', 'device-count': '4', 'cel-selector': "device.attributes['gpu.nvidia.com']['type'] == 'A100'\ndevice.capacity['gpu.nvidia.com'].memory >= quantity('40Gi')" }) },
  { name: 'valid: device class with dotted name', model: dra({ 'device-class': 'mig-3g.40gb' }) },
  { name: 'invalid: empty device class', model: dra({ 'device-class': '   ' }), refused: [[draRule, 'device class must not be empty']] },
  { name: 'invalid: device class with uppercase', model: dra({ 'device-class': 'GPU.Nvidia.com' }), refused: [[draRule, 'device class must be a DNS subdomain']] },
  { name: 'invalid: device count without device class', model: dra({ 'device-count': '2' }), refused: [[draRule, 'exp-dra-device-class is required to enable managed DRA']] },
  { name: 'invalid: cel selector without device class', model: dra({ 'cel-selector': "device.attributes['gpu.nvidia.com']['type'] == 'A100'" }), refused: [[draRule, 'exp-dra-device-class is required to enable managed DRA']] },
  { name: 'invalid: device count is non-numeric (the foot-gun the webhook is meant to catch)', model: dra({ 'device-class': 'gpu.nvidia.com', 'device-count': 'abc' }), refused: [[draRule, 'invalid serving.kserve.io/exp-dra-device-count value "abc"']] },
  { name: 'invalid: device count is zero', model: dra({ 'device-class': 'gpu.nvidia.com', 'device-count': '0' }), refused: [[draRule, 'must be >= 1']] },
  { name: 'invalid: device count is negative', model: dra({ 'device-class': 'gpu.nvidia.com', 'device-count': '-1' }), refused: [[draRule, 'must be >= 1']] },
  { name: 'invalid: cel selector annotation set but contains no expressions', model: dra({ 'device-class': 'gpu.nvidia.com', 'cel-selector': '\n  \n' }), refused: [[draRule, 'cel selector must contain at least one non-empty CEL expression']] },
  { name: 'invalid: multiple errors are surfaced together', model: dra({ 'device-class': 'BAD CLASS', 'device-count': 'abc' }), refused: [[draRule, 'device class must be a DNS subdomain'], [draRule, 'device-count value "abc"']] },
  { name: 'invalid: device class with consecutive dots (rejected by IsDNS1123Subdomain)', model: dra({ 'device-class': 'gpu..nvidia.com' }), refused: [[draRule, 'device class must be a DNS subdomain']] },
  { name: 'valid: device class + explicit container name', model: dra({ 'device-class': 'gpu.nvidia.com', 'container-name': 'vllm' }) },
  { name: 'invalid: container name without device class', model: dra({ 'container-name': 'vllm' }), refused: [[draRule, 'exp-dra-device-class is required']] },
  { name: 'invalid: empty container name', model: dra({ 'device-class': 'gpu.nvidia.com', 'container-name': '   ' }), refused: [[draRule, 'container name must not be empty']] },
  { name: 'invalid: container name with uppercase (not a DNS label)', model: dra({ 'device-class': 'gpu.nvidia.com', 'container-name': 'VLLM' }), refused: [[draRule, 'container name must be a DNS label']] },
  { name: 'invalid: container name contains dots (DNS label disallows dots)', model: dra({ 'device-class': 'gpu.nvidia.com', 'container-name': 'vllm.main' }), refused: [[draRule, 'container name must be a DNS label']] },
  { name: 'valid: hyphenated container name (normal DNS label)', model: dra({ 'device-class': 'gpu.nvidia.com', 'container-name': 'kserve-container' }) },
  { name: 'valid: container name with surrounding whitespace is trimmed before validation', model: dra({ 'device-class': 'gpu.nvidia.com', 'container-name': '  vllm  ' }) },
  { name: 'invalid: container name with embedded space', model: dra({ 'device-class': 'gpu.nvidia.com', 'container-name': 'vllm main' }), refused: [[draRule, 'container name must be a DNS label']] },
  { name: 'invalid: container name with underscore (DNS label disallows underscores)', model: dra({ 'device-class': 'gpu.nvidia.com', 'container-name': 'vllm_main' }), refused: [[draRule, 'container name must be a DNS label']] },
  { name: 'invalid: container name with trailing hyphen', model: dra({ 'device-class': 'gpu.nvidia.com', 'container-name': 'vllm-' }), refused: [[draRule, 'container name must be a DNS label']] },
  { name: 'invalid: container name longer than 63 characters', model: dra({ 'device-class': 'gpu.nvidia.com', 'container-name': 'a'.repeat(64) }), refused: [[draRule, 'container name must be a DNS label']] },
  // TestValidateConfidential
  { name: 'nil confidential spec', model: {} },
  { name: 'confidential disabled', model: { spec: { model: { confidential: { enabled: false } } } } },
  { name: 'confidential enabled with valid resourceId', model: { spec: { model: { confidential: { enabled: true, resourceId: 'kbs:///default/key/model-key' } } } } },
  { name: 'confidential enabled without resourceId', model: { spec: { model: { confidential: { enabled: true } } } } },
  { name: 'confidential enabled with OCI URI warns', model: { uri: 'oci://registry/model:latest', spec: { model: { confidential: { enabled: true } } } }, warns: 'OCI URIs' },
  { name: 'confidential enabled with PVC URI warns', model: { uri: 'pvc://my-pvc/model-dir', spec: { model: { confidential: { enabled: true } } } }, warns: 'PVC URIs' },
  { name: 'confidential with malformed resourceId', model: { spec: { model: { confidential: { enabled: true, resourceId: 'invalid-id' } } } }, refused: [['llmisvc.model.confidential', 'kbs:///<repo>/<type>/<tag>']] },
  // TestValidateKVCacheOffloading
  { name: 'nil spec produces no errors', model: {} },
  { name: 'cpu-only (no secondary) produces no errors', model: kv({ cpu: '10Gi' }) },
  { name: 'valid emptyDir secondary tier', model: kv({ cpu: '10Gi', secondary: [emptyDir] }) },
  { name: 'secondary without cpu produces error', model: kv({ cpu: '0', secondary: [emptyDir] }), refused: [[kvRule, 'cpu must be set when secondary tiers are configured']] },
  { name: 'nil fileSystem produces error', model: kv({ cpu: '10Gi', secondary: [{}] }), refused: [[kvRule, 'fileSystem must be set']] },
  { name: 'both emptyDir and pvc set produces error', model: kv({ cpu: '10Gi', secondary: [{ fileSystem: { emptyDir: { size: '100Gi' }, pvc: { ref: { name: 'x' } } } }] }), refused: [[kvRule, 'exactly one of emptyDir or pvc must be set; multiple are set']] },
  { name: 'none of emptyDir/pvc set produces error', model: kv({ cpu: '10Gi', secondary: [{ fileSystem: {} }] }), refused: [[kvRule, 'exactly one of emptyDir or pvc must be set']] },
  { name: 'pvc with neither spec nor ref produces error', model: kv({ cpu: '10Gi', secondary: [{ fileSystem: { pvc: {} } }] }), refused: [[kvRule, 'exactly one of spec or ref must be set']] },
  { name: 'pvc.ref with empty name produces error', model: kv({ cpu: '10Gi', secondary: [{ fileSystem: { pvc: { ref: { name: '' } } } }] }), refused: [[kvRule, 'name is required']] },
  { name: 'pvc with both spec and ref produces error', model: kv({ cpu: '10Gi', secondary: [{ fileSystem: { pvc: { spec: {}, ref: { name: 'my-pvc' } } } }] }), refused: [[kvRule, 'exactly one of spec or ref must be set; multiple are set']] },
  { name: 'prefill kvCacheOffloading is also validated', model: { spec: { prefill: { kvCacheOffloading: { cpu: '10Gi', secondary: [{}] } } } }, refused: [[kvRule, 'fileSystem must be set']] },
  // Parallelism, scheduler, router and traffic rules (webhook code paths the unit tests above do not cover)
  { name: 'worker without parallelism', model: { spec: { worker: {} } }, refused: [['llmisvc.parallelism', 'when worker is specified, parallelism must be configured']] },
  { name: 'worker with tensor parallelism only', model: { spec: { worker: {}, parallelism: { tensor: 2 } } }, refused: [['llmisvc.parallelism', 'when worker is specified, parallelism must be configured']] },
  { name: 'data without dataLocal', model: { spec: { parallelism: { data: 2 } } }, refused: [['llmisvc.parallelism', 'dataLocal must be set when data is set']] },
  { name: 'dataLocal without data', model: { spec: { parallelism: { dataLocal: 2 } } }, refused: [['llmisvc.parallelism', 'data must be set when dataLocal is set']] },
  { name: 'data together with pipeline', model: { spec: { parallelism: { data: 2, dataLocal: 1, pipeline: 2 } } }, refused: [['llmisvc.parallelism', 'cannot set both pipeline parallelism and data parallelism']] },
  { name: 'scheduler replicas 0', model: { router: 'scheduler', spec: { router: { scheduler: { replicas: 0 } } } }, refused: [['llmisvc.router.scheduler', 'scheduler replicas must be greater than zero']] },
  { name: 'scheduler config with neither inline nor ref', model: { router: 'scheduler', spec: { router: { scheduler: { config: {} } } } }, refused: [['llmisvc.router.scheduler', 'either inline or ref is required']] },
  { name: 'scheduler config ref without a name', model: { router: 'scheduler', spec: { router: { scheduler: { config: { ref: { name: '' } } } } } }, refused: [['llmisvc.router.scheduler', 'name is empty']] },
  { name: 'route.http.refs with a managed gateway', model: { router: 'scheduler', spec: { router: { route: { http: { refs: [{ name: 'my-route' }] } } } } }, refused: [['llmisvc.router.cross-field', 'cannot be used with a managed gateway']] },
  { name: 'route.http.refs with gateway refs', model: { router: 'scheduler', spec: { router: { gateway: { refs: [{ name: 'gw', namespace: 'gw-ns' }] }, route: { http: { refs: [{ name: 'my-route' }] } } } } } },
  { name: 'route.http refs and spec together', model: { router: 'direct', spec: { router: { route: { http: { refs: [{ name: 'r' }], spec: { rules: [{}] } } } } } }, refused: [['llmisvc.router.cross-field', 'cannot use both custom HTTPRoute refs']] },
  { name: 'parentRefs that conflict with gateway refs', model: { router: 'direct', spec: { router: { gateway: { refs: [{ name: 'gw', namespace: 'a' }] }, route: { http: { spec: { parentRefs: [{ name: 'other', namespace: 'a' }] } } } } } }, refused: [['llmisvc.router.cross-field', 'has parentRefs that conflict with custom gateway refs']] },
  { name: 'parentRefs equal to gateway refs warn', model: { router: 'direct', spec: { router: { gateway: { refs: [{ name: 'gw', namespace: 'a' }] }, route: { http: { spec: { parentRefs: [{ name: 'gw', namespace: 'a' }] } } } } } }, warns: 'parentRefs can be omitted' },
  { name: 'route weight without group', model: { router: 'direct', spec: { router: { route: { weight: 50 } } } }, refused: [['llmisvc.router.traffic', 'weight requires group']] },
  { name: 'route group and weight', model: { router: 'direct', spec: { router: { route: { group: 'blue-green', weight: 50 } } } } },
  { name: 'route group with route refs', model: { router: 'scheduler', spec: { router: { gateway: { refs: [{ name: 'gw', namespace: 'a' }] }, route: { group: 'g', weight: 10, http: { refs: [{ name: 'r' }] } } } } }, refused: [['llmisvc.router.traffic', 'traffic splitting cannot be used with custom HTTPRoute refs']] },
  // The llmisvc controller's refusals (reconcile: the model never starts)
  { name: 'gs:// model uri', model: { uri: 'gs://bucket/model' }, refused: [['llmisvc.controller.model-uri-scheme', 'unsupported schema in model URI: gs://bucket/model']] },
  { name: 'oci:// LoRA adapter', model: { name: 'base', ...lora({ adapters: [{ name: 'a', uri: 'oci://registry/adapter:1' }] }) }, refused: [['llmisvc.controller.lora-uri-scheme', 'oci:// is not supported for LoRA adapters']] },
];

function catalog(): string {
  const models = CASES.map((c, i) => {
    const m: Raw = { uri: 'hf://org/model', accelerator: 'cpu', router: 'none', ...c.model };
    return `  case-${String(i).padStart(3, '0')}: ${JSON.stringify(m)}`;
  });
  return `namespace: llm-test\nplatform: { mode: none }\nmodels:\n${models.join('\n')}\n`;
}

describe("KServe v0.20.0's webhook unit tests as catalog entries", () => {
  const loaded = loadCatalog('test', 'environments/test/catalog.yaml', catalog());
  if (!loaded.ok) throw new Error(loaded.issues.map((i) => `${i.line}:${i.col} ${i.field}: ${i.message}`).join('\n'));
  const env = loaded.value;

  it(`has ${CASES.length} cases, refused and valid`, () => {
    expect(CASES.filter((c) => c.refused).length).toBeGreaterThan(50);
    expect(CASES.filter((c) => !c.refused).length).toBeGreaterThan(40);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => {
    const model = env.models.find((m) => m.name === `case-${String(i).padStart(3, '0')}`)!;
    const obj = renderLLMInferenceService(env, model);
    const cel = admit(obj, tree, 'llmisvc-v1alpha2');
    const findings = checkWebhooks(cel.stored as Raw, 'v0.20.0')!;
    const errors = findings.filter((f) => f.severity !== 'warning');
    const warnings = findings.filter((f) => f.severity === 'warning').map((f) => f.msg);
    if (c.refused) {
      expect(errors.map((f) => f.rule)).toEqual(c.refused.map(([rule]) => `kserve v0.20.0 ${rule}`));
      c.refused.forEach(([, fragment], k) => expect(errors[k]!.msg).toContain(fragment));
    } else {
      expect(errors).toEqual([]);
      if (c.cel) expect(cel.violations.map((v) => v.msg).join('\n')).toContain(c.cel);
      else expect(cel.violations).toEqual([]);
    }
    if (c.warns) expect(warnings.join('\n')).toContain(c.warns);
    else expect(warnings).toEqual([]);
  });
});

describe("KServe v0.20.0's LLMInferenceServiceConfig webhook, on catalog presets", () => {
  const text = `namespace: llm-test
platform: { mode: none }
presets:
  fine: { spec: { router: { scheduler: { replicas: 2 } } } }
  no-scheduler: { spec: { router: { scheduler: { replicas: 0 } } } }
models:
  m: { uri: hf://org/m, accelerator: cpu, presets: [fine] }
`;
  const loaded = loadCatalog('test', 'environments/test/catalog.yaml', text);
  if (!loaded.ok) throw new Error(loaded.issues.map((i) => i.message).join('\n'));
  const rules = (name: string) => checkWebhooks(renderPreset(loaded.value, loaded.value.presets.find((p) => p.name === name)!), 'v0.20.0')!.map((f) => `${f.rule} ${f.path}: ${f.msg}`);
  it('passes a plain preset', () => expect(rules('fine')).toEqual([]));
  it('refuses baseRefs (the catalog already refuses them in presets, so as an object)', () => {
    const config = { ...renderPreset(loaded.value, loaded.value.presets[0]!), spec: { baseRefs: [{ name: 'fine' }] } };
    expect(checkWebhooks(config, 'v0.20.0')!.map((f) => `${f.rule} ${f.path}: ${f.msg}`)).toEqual(['kserve v0.20.0 llmisvcconfig.base-refs /spec/baseRefs: Forbidden: baseRefs is not a permitted field in LLMInferenceServiceConfig, support for recursive refs has been disabled']);
  });
  it('refuses scheduler replicas 0 in a preset', () => expect(rules('no-scheduler')).toEqual(['kserve v0.20.0 llmisvcconfig.router.scheduler /spec/router/scheduler/replicas: scheduler replicas must be greater than zero']));
});

describe('what the rules of one object read (ruleInput, worked out once for all of its rules)', () => {
  const llmisvc = (spec: unknown) => ({ apiVersion: 'serving.kserve.io/v1alpha2', kind: 'LLMInferenceService', metadata: { name: 'm' }, spec });
  it('the decode workload is the spec, the prefill one follows only when it is an object', () => {
    const prefill = { replicas: 1 };
    const spec = { replicas: 2, prefill };
    expect(ruleInput(llmisvc(spec))).toEqual({ spec, workloads: [{ at: '/spec', w: spec }, { at: '/spec/prefill', w: prefill }] });
    expect(ruleInput(llmisvc({ prefill: 'x' })).workloads).toEqual([{ at: '/spec', w: { prefill: 'x' } }]);
  });
  it('a spec that is no object reads as an empty one: no rule finds anything, none throws', () => {
    for (const spec of [undefined, null, 'x', 7, [{ scaling: {} }]]) {
      expect(ruleInput(llmisvc(spec))).toEqual({ spec: {}, workloads: [{ at: '/spec', w: {} }] });
      expect(checkWebhooks(llmisvc(spec), 'v0.20.0')).toEqual([]);
    }
  });
  it('each workload is checked by every rule that reads workloads, at its own path', () => {
    const bad = { scaling: { minReplicas: 3, maxReplicas: 1, wva: { hpa: {} } }, parallelism: { data: 2 }, kvCacheOffloading: { secondary: [{}] } };
    const found = checkWebhooks(llmisvc({ ...bad, prefill: { ...bad, scaling: { ...bad.scaling, wva: { keda: {} } } } }), 'v0.20.0')!.map((f) => `${f.rule} ${f.path}`);
    for (const at of ['/spec', '/spec/prefill']) {
      expect(found).toContain(`kserve v0.20.0 llmisvc.scaling ${at}/scaling/minReplicas`);
      expect(found).toContain(`kserve v0.20.0 llmisvc.parallelism ${at}/parallelism/dataLocal`);
      expect(found).toContain(`kserve v0.20.0 llmisvc.kv-cache-offloading ${at}/kvCacheOffloading/cpu`);
    }
    expect(found).toContain('kserve v0.20.0 llmisvc.scaling.actuator-consistency /spec/prefill/scaling/wva');
  });
});
