/**
 * The only code that talks to the Kubernetes API. One reader per run: lists a kind in a
 * namespace, all pages, each request with its own timeout, retried with backoff on 429/5xx and
 * network errors, counted (the request budget is part of the contract: per kind and namespace,
 * never per model).
 */
import { CustomObjectsApi, Observable, type ConfigurationOptions, type RequestContext as HttpRequest, type ResponseContext } from '@kubernetes/client-node';
import { resourceName, type KindRef } from '../health/kinds.js';
import type { ListOutcome } from '../health/observation.js';
import { loadKubeconfig, type KubeconfigOptions } from './kubeconfig.js';
import { allPages, type Page } from './pages.js';
import { classify, type ApiProblem } from './problem.js';
import { DEFAULT_RETRY, ProblemError, retrying, type RetryPolicy } from './retry.js';

export interface ClusterOptions extends KubeconfigOptions {
  /** Per-request deadline. @default 30 s */
  readonly requestTimeoutMs?: number;
  /** Items per page. @default 500 (kubectl's chunk size) */
  readonly pageSize?: number;
  readonly retry?: RetryPolicy;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface ClusterReader {
  readonly server: string;
  readonly context: string;
  /** Every object of `kind` in `namespace`, or why not. Never throws for API failures. */
  list(kind: KindRef, namespace: string): Promise<ListOutcome>;
  /** HTTP requests made so far (every page and every retry). */
  readonly requests: number;
}

/** client-node 1.4.0 takes Observable-style middleware per call; a fresh signal per request. */
function timeoutOptions(ms: number): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (ctx: HttpRequest) => {
          ctx.setSignal(AbortSignal.timeout(ms));
          return new Observable(Promise.resolve(ctx));
        },
        post: (r: ResponseContext) => new Observable(Promise.resolve(r)),
      },
    ],
    middlewareMergeStrategy: 'append',
  } as ConfigurationOptions;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function connect(opts: ClusterOptions = {}): ClusterReader {
  const { kc, server, context, fallback } = loadKubeconfig(opts);
  const api = kc.makeApiClient(CustomObjectsApi);
  const callOptions = timeoutOptions(opts.requestTimeoutMs ?? 30_000);
  const pageSize = opts.pageSize ?? 500;
  const deps = { sleep: opts.sleep ?? realSleep, random: opts.random ?? Math.random };
  let requests = 0;

  const hint = (p: ApiProblem): ApiProblem =>
    fallback && p.kind === 'unreachable'
      ? { ...p, detail: `${p.detail} (no kubeconfig found: set KUBECONFIG, pass --kubeconfig, or run in a pod)` }
      : p;

  return {
    server,
    context,
    get requests() {
      return requests;
    },
    async list(kind, namespace) {
      const ctx = { verb: 'list' as const, resource: resourceName(kind), namespace, server };
      const page = (token?: string): Promise<Page> =>
        retrying(
          async () => {
            requests += 1;
            const body = (await api.listNamespacedCustomObject(
              { group: kind.group, version: kind.version, namespace, plural: kind.plural, limit: pageSize, ...(token ? { _continue: token } : {}) },
              callOptions,
            )) as { items?: unknown[]; metadata?: { continue?: string; resourceVersion?: string } };
            return {
              items: body.items ?? [],
              ...(body.metadata?.continue ? { continue: body.metadata.continue } : {}),
              ...(body.metadata?.resourceVersion ? { resourceVersion: body.metadata.resourceVersion } : {}),
            };
          },
          (e) => classify(e, ctx),
          opts.retry ?? DEFAULT_RETRY,
          deps,
        );
      try {
        const all = await allPages(page);
        return { ok: true, items: all.items };
      } catch (e) {
        if (e instanceof ProblemError) return { ok: false, problem: hint(e.problem) };
        throw e;
      }
    },
  };
}

