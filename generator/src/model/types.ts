import type { PrerequisiteSettings, TokenSource } from '../prerequisites/types.js';

/**
 * The normalized catalog: every default applied, every reference resolved. Render functions take
 * these and nothing else. (What people write is `CatalogFile` in catalog/schema.ts.)
 */

export type PlatformMode = 'standalone' | 'addons' | 'none';
export type PlatformSource = 'remote' | 'vendored';
export type DeliveryEngine = 'argocd' | 'flux' | 'none';
export type Accelerator = 'nvidia' | 'amd' | 'cpu';
export type Router = 'scheduler' | 'direct' | 'prefill-decode' | 'none';
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Platform {
  readonly mode: PlatformMode;
  /** KServe release tag, e.g. v0.20.0. */
  readonly kserve: string;
  readonly source: PlatformSource;
}

export interface Delivery {
  readonly engine: DeliveryEngine;
  readonly repoURL: string;
  readonly revision: string;
  /** Namespace of Argo CD (argocd) or Flux (flux-system). */
  readonly namespace: string;
  readonly project: string;
  readonly server: string;
  readonly automated: boolean;
  readonly prune: boolean;
  readonly selfHeal: boolean;
  readonly interval: string;
  readonly timeout: string;
  /** Above this many models the environment is delivered in `shards` model units (sharding/assign.ts). */
  readonly shardAbove: number;
  readonly shards: number;
}

export interface HealthJob {
  readonly schedule: string;
  readonly image: string;
  readonly timeout: string;
  readonly output: 'table' | 'json' | 'junit' | 'prometheus';
}

export interface Resources {
  readonly requests: { readonly cpu?: string; readonly memory?: string };
  readonly limits: { readonly cpu?: string; readonly memory?: string };
  /** Extended resources (rdma/roce_gdr, vendor.com/x): the same count in requests and limits. */
  readonly extended?: Readonly<Record<string, number>>;
}

/** KServe's spec.parallelism as the catalog resolved it (see catalog/workload.ts). */
export interface Parallelism {
  readonly tensor: number;
  /** Whether `tensor` is written into spec.parallelism (written, or > 1). */
  readonly tensorShown: boolean;
  readonly data?: number;
  readonly dataLocal?: number;
  readonly pipeline?: number;
  readonly expert?: boolean;
  readonly rpcPort?: number;
}

/** Settings that apply to one workload only (decode = the main workload). */
export interface WorkloadExtras {
  readonly env: readonly EnvVar[];
  readonly args: readonly string[];
  readonly runAsRoot?: boolean;
}

export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: JsonObject;
}

/** Where a model's GPUs come from and which nodes it lands on. */
export interface Hardware {
  readonly accelerator: Accelerator;
  /** Extended resource name (nvidia.com/gpu…); undefined for cpu. */
  readonly resourceName?: string;
  readonly gpus: number;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly tolerations?: readonly JsonObject[];
  readonly runtimeClassName?: string;
}

export interface Download {
  readonly from: string;
  readonly claim: string;
  readonly subPath: string;
  readonly size: string;
  readonly storageClass?: string;
  readonly accessMode: string;
  readonly image: string;
}

export interface Model {
  /** LLMInferenceService name (the catalog key). */
  readonly name: string;
  /** Served model id (`spec.model.name`). */
  readonly servedName: string;
  readonly uri: string;
  /** undefined when autoscaling is set (replicas and scaling are mutually exclusive). */
  readonly replicas?: number;
  readonly autoscaling?: { readonly min: number; readonly max: number; readonly engine: 'hpa' | 'keda' };
  readonly hardware: Hardware;
  /** The profile name the model picked, if any (GPU accounting groups by it). */
  readonly profile?: string;
  /** = parallelism.tensor */
  readonly tensorParallel: number;
  readonly parallelism: Parallelism;
  /** A LeaderWorkerSet `worker` (data parallelism or pipeline > 1). */
  readonly worker: boolean;
  readonly router: Router;
  readonly prefill?: {
    readonly replicas?: number;
    readonly gpus: number;
    readonly tensorParallel: number;
    readonly parallelism: Parallelism;
    readonly worker: boolean;
  } & WorkloadExtras;
  readonly decode: WorkloadExtras;
  /** Short keys of issue 10, rendered by render/workload.ts. */
  readonly production: Production;
  readonly resources?: Resources;
  readonly image?: string;
  readonly hfTokenSecret?: string;
  readonly download?: Download;
  readonly args: readonly string[];
  readonly env: readonly EnvVar[];
  readonly presets: readonly string[];
  readonly stopped: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Escape hatch, deep-merged into the generated spec. */
  readonly spec?: JsonObject;
}

export interface Probe {
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
  readonly scheme?: 'HTTP' | 'HTTPS';
}

export interface Production {
  readonly probes: { readonly startup?: Probe; readonly liveness?: Probe; readonly readiness?: Probe };
  readonly runAsRoot: boolean;
  readonly command?: readonly string[];
  /** The scheduler's plugin configuration; undefined = KServe's default (`scheduler: {}`). */
  readonly scheduler?: {
    readonly config: string;
    readonly blockSize?: number;
    readonly hashSeed?: string;
    readonly replicas?: number;
    readonly configMap?: string;
    /** Env of the scheduler pod's containers by name (main: the endpoint picker; tokenizer). */
    readonly env?: Readonly<Record<'main' | 'tokenizer', readonly EnvVar[]>>;
  };
  /** false: router without route and gateway (scheduler only). */
  readonly route: boolean;
  readonly lora?: { readonly adapters: readonly { readonly name: string; readonly uri: string }[]; readonly maxRank?: number; readonly maxAdapters?: number; readonly maxCpuAdapters?: number; readonly downloads: readonly Download[] };
  readonly kvCacheOffload?: { readonly cpu: string; readonly evictionPolicy?: string; readonly disk?: string; readonly claim?: string };
  readonly dra?: { readonly deviceClass: string; readonly count: number; readonly container?: string; readonly selector?: string };
  readonly serviceAccount?: string;
  readonly sidecars: { readonly before: readonly JsonObject[]; readonly after: readonly JsonObject[] };
}

export interface Preset {
  readonly name: string;
  readonly description?: string;
  readonly spec: JsonObject;
}

export interface Environment {
  /** Folder name under environments/. */
  readonly name: string;
  /** Catalog path relative to the repository root. */
  readonly file: string;
  readonly namespace: string;
  readonly platform: Platform;
  readonly delivery: Delivery;
  readonly health?: HealthJob;
  readonly presets: readonly Preset[];
  /** Upstream image name → replacement, for the well-known configs of this environment. */
  readonly images: Readonly<Record<string, string>>;
  /** Sorted by name. */
  readonly models: readonly Model[];
  /** `platform.prerequisites` as written (prerequisites/requirements.ts decides the rest). */
  readonly prerequisites: PrerequisiteSettings;
  /** `modelAccess`: where token Secrets come from, sorted by Secret name. */
  readonly modelAccess: readonly TokenSource[];
}

/** What `generate` renders from: every environment plus what the platform bases need. */
export interface Catalog {
  readonly environments: readonly Environment[];
}
