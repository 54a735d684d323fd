/**
 * The only code that talks to the Kubernetes API. One reader per run: lists a kind in a
 * namespace (or cluster-wide), all pages, retried with backoff on 429/5xx and network errors,
 * counted (the request budget is part of the contract: per kind and namespace, never per model).
 *
 * Everything is bounded by the caller's AbortSignal — the run's one deadline — threaded through
 * requests, bodies, retries, backoff sleeps, pagination and the exec credential plugin; plus a
 * per-request timeout, a response size cap and a page cap. Redirects are refused. Every problem
 * text is redacted (cluster/redact.ts) before it leaves this module.
 */
import { resourceName, type KindRef } from '../health/kinds.js';
import type { ListOutcome } from '../health/observation.js';
import { credentials } from './credentials.js';
import { httpGet } from './http.js';
import { loadKubeconfig, type KubeconfigOptions } from './kubeconfig.js';
import { allPages, type Page } from './pages.js';
import { classify, type ApiProblem } from './problem.js';
import { redactDeep, redactor, type Redactor } from './redact.js';
import { abortableSleep, DEFAULT_RETRY, ProblemError, retrying, type RetryPolicy } from './retry.js';

export interface ClusterOptions extends KubeconfigOptions {
  /** Per-request deadline. @default 30 s */
  readonly requestTimeoutMs?: number;
  /** Items per page. @default 500 (kubectl's chunk size) */
  readonly pageSize?: number;
  /** Pages of one list at most. @default 200 */
  readonly maxPages?: number;
  /** Bytes of one response at most. @default 64 MiB */
  readonly maxResponseBytes?: number;
  readonly retry?: RetryPolicy;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<boolean | void>;
  readonly random?: () => number;
}

export interface ListOptions {
  /** The run's deadline: aborts the request, its retries and its backoff. */
  readonly signal?: AbortSignal;
  /** `Accept` header, e.g. the metadata-only PartialObjectMetadataList. */
  readonly accept?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface ClusterReader {
  /** The server, for display (credentials masked). */
  readonly server: string;
  readonly context: string;
  /**
   * Every object of `kind` in `namespace` (cluster-wide when undefined, or for cluster-scoped
   * kinds), or why not. Never throws for API failures.
   */
  list(kind: KindRef, namespace: string | undefined, opts?: ListOptions): Promise<ListOutcome>;
  /** HTTP requests made so far (every page and every retry). */
  readonly requests: number;
  /** Masks every secret this run knows (and credential-looking text) in a string. */
  readonly redact: Redactor;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 64 << 20;

/** Metadata only (names, labels): the API server strips spec, status and Secret data. */
export const METADATA_ONLY = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

/** An HTTP error answer, shaped as classify() reads it. */
class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly body: string,
    readonly headers: Record<string, unknown>,
  ) {
    super(`HTTP ${code}`);
  }
}

export function listPath(kind: KindRef, namespace: string | undefined): string {
  const root = kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`;
  const scoped = namespace !== undefined && kind.namespaced !== false;
  return `${root}${scoped ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${kind.plural}`;
}

export function connect(opts: ClusterOptions = {}): ClusterReader {
  const loaded = loadKubeconfig(opts);
  const redact = redactor(loaded.secrets);
  const authorize = credentials(loaded, redact);
  const base = new URL(loaded.server);
  const timeoutMs = opts.requestTimeoutMs ?? 30_000;
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const pageSize = opts.pageSize ?? 500;
  const deps = { sleep: opts.sleep ?? abortableSleep, random: opts.random ?? Math.random };
  let requests = 0;

  return {
    server: loaded.displayServer,
    context: loaded.context,
    redact,
    get requests() {
      return requests;
    },
    async list(kind, namespace, lo = {}) {
      const scoped = namespace !== undefined && kind.namespaced !== false;
      const ctx = { verb: 'list' as const, resource: resourceName(kind), ...(scoped ? { namespace } : {}), server: loaded.displayServer };
      const signal = lo.signal;
      const page = (token?: string): Promise<Page> =>
        retrying(
          async () => {
            const url = new URL(base.href.replace(/\/$/, '') + listPath(kind, namespace));
            url.searchParams.set('limit', String(pageSize));
            if (token) url.searchParams.set('continue', token);
            if (lo.labelSelector) url.searchParams.set('labelSelector', lo.labelSelector);
            if (lo.fieldSelector) url.searchParams.set('fieldSelector', lo.fieldSelector);
            const auth = await authorize(signal);
            requests += 1;
            const answer = await httpGet(
              { url, agent: auth.agent, headers: { ...auth.headers, Accept: lo.accept ?? 'application/json' } },
              { timeoutMs, maxBytes, ...(signal ? { signal } : {}) },
            );
            if (answer.status < 200 || answer.status > 299) throw new StatusError(answer.status, answer.text, answer.headers as Record<string, unknown>);
            let body: { items?: unknown[]; metadata?: { continue?: string; resourceVersion?: string } };
            try {
              body = JSON.parse(answer.text);
            } catch {
              throw new StatusError(answer.status, `not JSON: ${answer.text.slice(0, 200)}`, {});
            }
            return {
              items: Array.isArray(body?.items) ? body.items : [],
              ...(typeof body?.metadata?.continue === 'string' && body.metadata.continue ? { continue: body.metadata.continue } : {}),
              ...(body?.metadata?.resourceVersion ? { resourceVersion: body.metadata.resourceVersion } : {}),
            };
          },
          (e) => classify(e, ctx),
          opts.retry ?? DEFAULT_RETRY,
          deps,
          signal,
        );
      try {
        const all = await allPages(page, { ...(opts.maxPages ? { maxPages: opts.maxPages } : {}) });
        return { ok: true, items: all.items };
      } catch (e) {
        const problem = e instanceof ProblemError ? e.problem : classify(e, ctx);
        return { ok: false, problem: redactDeep(problem, redact) };
      }
    },
  };
}
