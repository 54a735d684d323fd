/**
 * Facts about KServe's llmisvc that the generator relies on (see ARCHITECTURE.md for sources).
 * Names only: no upstream manifest content lives in this repository.
 */

export const DEFAULT_KSERVE_VERSION = 'v0.20.0';

/** A KServe release tag (`v0.20.0`, `v0.21.0-rc1`): the only shape a version may have, since it names folders. */
export const RELEASE_TAG = /^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/;

/** What llm-gitops knows of each KServe release it generates for: the support matrix. */
export interface KserveRelease {
  /**
   * sha256 of `config/crd/full/llmisvc/serving.kserve.io_llminferenceservices.yaml` at the tag:
   * how `vendor` recognises a source of this release (its config carries no version string).
   */
  readonly llmisvcCrdSha256: string;
  /** The CPU vLLM image KServe's own CPU samples pin at this tag (samples/opt-125m-cpu); it runs as root. */
  readonly cpuVllmImage: string;
}

export const KSERVE_RELEASES: Readonly<Record<string, KserveRelease>> = {
  'v0.20.0': {
    llmisvcCrdSha256: '4377745d253c5c6407ccd46aecdfadcea160ba77a0976dd2d112f0ca9a1ac53f',
    cpuVllmImage: 'public.ecr.aws/q9t5s3a7/vllm-cpu-release-repo:v0.19.0',
  },
};

export const SUPPORTED_KSERVE_VERSIONS = Object.keys(KSERVE_RELEASES);

/** The release's facts, or undefined when llm-gitops does not support it. */
export const kserveRelease = (version: string): KserveRelease | undefined => (Object.hasOwn(KSERVE_RELEASES, version) ? KSERVE_RELEASES[version] : undefined);

/** The sentence every "unsupported version" error ends with. */
export const SUPPORTED_SENTENCE = `llm-gitops supports KServe ${SUPPORTED_KSERVE_VERSIONS.join(', ')} (it renders that release's objects, config names and images)`;
export const KSERVE_REPO = 'https://github.com/kserve/kserve';
export const KSERVE_NAMESPACE = 'kserve';
export const LLMISVC_API_VERSION = 'serving.kserve.io/v1alpha2';

/** The well-known LLMInferenceServiceConfigs shipped in upstream config/llmisvcconfig (v0.20.0). */
export const WELL_KNOWN_CONFIGS = [
  'kserve-config-llm-decode-template',
  'kserve-config-llm-decode-worker-data-parallel',
  'kserve-config-llm-prefill-template',
  'kserve-config-llm-prefill-worker-data-parallel',
  'kserve-config-llm-router-route',
  'kserve-config-llm-scheduler',
  'kserve-config-llm-scheduler-latency-predictor',
  'kserve-config-llm-template',
  'kserve-config-llm-tracing',
  'kserve-config-llm-worker-data-parallel',
] as const;

export const GPU_RESOURCE: Record<'nvidia' | 'amd', string> = {
  nvidia: 'nvidia.com/gpu',
  amd: 'amd.com/gpu',
};

/** Upstream images that carry `:latest` in kustomize and that we pin to the KServe tag. */
export const PINNED_IMAGES = ['kserve/llmisvc-controller', 'kserve/storage-initializer'] as const;

export const STOP_ANNOTATION = 'serving.kserve.io/stop';

/**
 * Ready=False reasons KServe reports while a model is merely starting (it copies the Deployment's
 * Available=False reason, and waits for the Gateway to accept the InferencePool). The Argo CD Lua,
 * the Flux CEL and `health` all treat these as Progressing, not Degraded.
 */
export const STARTING_REASONS = ['MinimumReplicasUnavailable', 'Progressing', 'WaitingForGateway'] as const;
