/** A validating-webhook rule of a KServe version, as a pure function of the object. */

/** One problem a rule finds: a JSON pointer into the object and KServe's message. */
export interface Finding {
  readonly path: string;
  readonly msg: string;
  /** KServe returns warnings beside a successful admission; they never refuse. */
  readonly severity?: 'error' | 'warning';
}

type O = Record<string, unknown>;

/** A workload of an LLMInferenceService (the decode one, then the prefill one when present) and its JSON pointer. */
export interface Workload {
  readonly at: string;
  readonly w: O;
}

/** What the rules read of one object, worked out once for all of its rules (webhook/index.ts). */
export interface RuleInput {
  /** `spec` when it is an object, else an empty one. */
  readonly spec: O;
  readonly workloads: readonly Workload[];
}

export interface WebhookRule {
  /** Stable name, used in messages and tests (`llmisvc.scaling`). */
  readonly name: string;
  readonly apiVersion: string;
  readonly kind: string;
  check(obj: O, input: RuleInput): readonly Finding[];
}
