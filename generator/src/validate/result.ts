/** What validating one object gives (kubeconform's result model), and the run's counts. */

/** kubeconform's statuses (Empty documents are not reported at all). */
export type Status = 'valid' | 'invalid' | 'error' | 'skipped';

/** One schema violation inside an object. */
export interface SchemaViolation {
  /** JSON pointer into the object (`/spec/template/containers/0/bogus`); '' = the object itself. */
  readonly path: string;
  readonly msg: string;
  /** The CRD's CEL rule or KServe webhook rule broken (absent for schema violations). */
  readonly rule?: string;
  /** Where in the file, when known. */
  readonly line?: number;
  readonly col?: number;
}

/** The verdict on one object, in kubeconform's JSON field names. */
export interface ResourceResult {
  /** Repository-relative path of the file. */
  readonly filename: string;
  readonly line?: number;
  readonly kind: string;
  readonly name: string;
  /** The object's apiVersion. */
  readonly version: string;
  readonly status: Status;
  /** Why it is an error or skipped; empty otherwise. */
  readonly msg: string;
  readonly validationErrors: readonly SchemaViolation[];
  /** Where its schema came from (a file, URL or `kubernetes-models`). */
  readonly schema?: string;
  /** CEL rules run on it (CRD kinds), and the fields the API server would default. */
  readonly admission?: { readonly evaluated: number; readonly transition: number; readonly uncompiled: number; readonly defaulted: readonly string[] };
}

/** Counts per status. */
export interface Summary {
  readonly valid: number;
  readonly invalid: number;
  readonly errors: number;
  readonly skipped: number;
}

/** Counts `results` per status. */
export function summarize(results: readonly ResourceResult[]): Summary {
  const n = (s: Status) => results.filter((r) => r.status === s).length;
  return { valid: n('valid'), invalid: n('invalid'), errors: n('error'), skipped: n('skipped') };
}

/** The run fails on anything invalid or in error; skipped objects never fail it. */
export function failed(summary: Summary): boolean {
  return summary.invalid > 0 || summary.errors > 0;
}
