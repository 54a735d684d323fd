/**
 * Why the cluster could not be checked, as data: the kind of failure, the verb and resource it
 * hit, and a message for a person. Classifies what a request can end with: an HTTP status
 * (numeric `code`, `body` = raw response text, `headers`), a network error (string `code` such
 * as ECONNREFUSED), a limit of the transport (cluster/http.ts: deadline, timeout, size cap,
 * redirect), a pagination limit (cluster/pages.ts) or a failed credential plugin (cluster/exec.ts).
 * Server text ends up in `detail`; the client redacts it before anyone sees it.
 */
import { ExecError } from './exec.js';
import { TransportError } from './http.js';
import { PageLimitError } from './pages.js';

export type ProblemKind =
  | 'unreachable'
  | 'timeout'
  | 'tls'
  | 'unauthorised'
  | 'forbidden'
  | 'not-installed'
  | 'expired'
  | 'throttled'
  | 'server-error'
  | 'bad-response'
  /** The run's deadline (--timeout) passed mid-request, mid-retry or in a credential plugin. */
  | 'deadline'
  /** A response over the size cap. */
  | 'too-large'
  /** More pages than the page cap allows for one list. */
  | 'too-many-pages'
  /** The server handed back a continue token it had already given. */
  | 'continue-loop'
  /** A 3xx answer: never followed, never trusted. */
  | 'redirect'
  /** The exec credential plugin failed. */
  | 'credentials';

export type Verb = 'get' | 'list' | 'watch' | 'post';

export interface ApiProblem {
  readonly kind: ProblemKind;
  readonly verb: Verb;
  /** `plural.group`, as Kubernetes names a resource. */
  readonly resource: string;
  readonly namespace?: string;
  /** HTTP status, when the server answered. */
  readonly status?: number;
  /** The server's Status message or the network error, without the client's dump. */
  readonly detail: string;
  /** The server asked us to wait this long before retrying (429/503 Retry-After). */
  readonly retryAfterMs?: number;
}

export interface RequestContext {
  readonly verb: Verb;
  readonly resource: string;
  readonly namespace?: string;
  readonly server: string;
}

const RETRYABLE_KINDS: ReadonlySet<ProblemKind> = new Set(['unreachable', 'timeout', 'throttled', 'server-error']);

/** 429, 5xx, network errors and timeouts are worth another try; 4xx and TLS never. */
export function isRetryable(p: ApiProblem): boolean {
  if (p.kind === 'server-error') return p.status === undefined || [500, 502, 503, 504].includes(p.status);
  return RETRYABLE_KINDS.has(p.kind);
}

const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS|ERR_SSL)/;

function statusMessage(body: unknown): string | undefined {
  if (typeof body !== 'string' || !body) return undefined;
  try {
    const s = JSON.parse(body) as { message?: unknown };
    return typeof s.message === 'string' ? s.message : undefined;
  } catch {
    return body.slice(0, 200);
  }
}

function retryAfter(headers: unknown): number | undefined {
  const h = headers as Record<string, string> | undefined;
  const v = h?.['retry-after'] ?? h?.['Retry-After'];
  if (v === undefined) return undefined;
  const s = Number(v);
  return Number.isFinite(s) ? s * 1000 : undefined;
}

function byStatus(status: number): ProblemKind {
  if (status === 401) return 'unauthorised';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-installed';
  if (status === 410) return 'expired';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'server-error';
  return 'bad-response';
}

/** Turns whatever a request threw into an ApiProblem. */
export function classify(e: unknown, ctx: RequestContext): ApiProblem {
  const base = { verb: ctx.verb, resource: ctx.resource, ...(ctx.namespace ? { namespace: ctx.namespace } : {}) };
  if (e instanceof TransportError) {
    const kind = e.kind === 'timeout' ? 'timeout' : e.kind;
    return { ...base, kind, ...(e.status !== undefined ? { status: e.status } : {}), detail: `${ctx.server}: ${e.message}` };
  }
  if (e instanceof PageLimitError) return { ...base, kind: e.kind, detail: e.message };
  if (e instanceof ExecError) return { ...base, kind: e.aborted ? 'deadline' : 'credentials', detail: e.message };
  const err = e as { code?: unknown; body?: unknown; headers?: unknown; name?: string; type?: string; message?: string; cause?: { code?: unknown } };
  if (typeof err?.code === 'number') {
    const status = err.code;
    const after = retryAfter(err.headers);
    return {
      ...base,
      kind: byStatus(status),
      status,
      detail: statusMessage(err.body) ?? (status === 401 ? 'Unauthorized' : `HTTP ${status}`),
      ...(after !== undefined ? { retryAfterMs: after } : {}),
    };
  }
  if (err?.name === 'AbortError' || err?.type === 'aborted') return { ...base, kind: 'timeout', detail: `no answer from ${ctx.server}` };
  const code = typeof err?.code === 'string' ? err.code : typeof err?.cause?.code === 'string' ? err.cause.code : undefined;
  if (code && TLS_CODES.test(code)) return { ...base, kind: 'tls', detail: `${code}: ${err.message ?? ''}`.trim() };
  const message = err?.message ?? String(e);
  return { ...base, kind: 'unreachable', detail: code ? `${ctx.server}: ${code}` : `${ctx.server}: ${message}` };
}

const WHAT: Record<ProblemKind, string> = {
  unreachable: 'cluster unreachable',
  timeout: 'request timed out',
  tls: 'TLS handshake failed',
  unauthorised: 'unauthorised (the credentials were rejected)',
  forbidden: 'forbidden',
  'not-installed': 'not installed',
  expired: 'list expired',
  throttled: 'throttled (429)',
  'server-error': 'API server error',
  'bad-response': 'request rejected',
  deadline: 'deadline passed',
  'too-large': 'response too large',
  'too-many-pages': 'too many pages',
  'continue-loop': 'pagination loop',
  redirect: 'redirect refused',
  credentials: 'credential plugin failed',
};

/** `forbidden: list applications.argoproj.io in namespace argocd — <server message>`. */
export function describeProblem(p: ApiProblem): string {
  const where = p.namespace ? ` in namespace ${p.namespace}` : ' (all namespaces)';
  return `${WHAT[p.kind]}: ${p.verb} ${p.resource}${where} — ${p.detail}`;
}
