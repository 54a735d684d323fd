/** A validating-webhook rule of a KServe version, as a pure function of the object. */

/** One problem a rule finds: a JSON pointer into the object and KServe's message. */
export interface Finding {
  readonly path: string;
  readonly msg: string;
  /** KServe returns warnings beside a successful admission; they never refuse. */
  readonly severity?: 'error' | 'warning';
}

export interface WebhookRule {
  /** Stable name, used in messages and tests (`llmisvc.scaling`). */
  readonly name: string;
  readonly apiVersion: string;
  readonly kind: string;
  check(obj: Record<string, unknown>): readonly Finding[];
}
