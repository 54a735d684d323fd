/**
 * One HTTP GET, bounded every way a hostile or broken server can stretch it: the run's
 * AbortSignal (the one deadline) and a per-request timeout, both cutting the body mid-stream; a
 * response size cap counted while the bytes arrive (a 100 MB page is refused at the cap, never
 * buffered whole); redirects never followed — a 3xx is an answer we do not trust (it would take
 * the bearer token to another host or port). node:http follows nothing by itself; we keep it so.
 */
import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpTarget {
  readonly url: URL;
  readonly agent?: Agent;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
}

export interface HttpLimits {
  /** The run's deadline (fires once for everything). */
  readonly signal?: AbortSignal;
  /** ms for this one request, headers and body. */
  readonly timeoutMs: number;
  /** Bytes of body at most. */
  readonly maxBytes: number;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  readonly bytes: number;
}

export type TransportKind = 'deadline' | 'timeout' | 'too-large' | 'redirect';

/** A limit tripped or a redirect came back; `detail` is for people (no secrets in it). */
export class TransportError extends Error {
  constructor(
    readonly kind: TransportKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export function mib(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(bytes % (1 << 20) ? 1 : 0)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

export function httpGet(target: HttpTarget, limits: HttpLimits): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const { url } = target;
    if (limits.signal?.aborted) return reject(new TransportError('deadline', 'the deadline passed before the request was sent'));
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const cleanups: (() => void)[] = [];
    const done = (f: () => void) => {
      if (settled) return;
      settled = true;
      for (const c of cleanups) c();
      f();
    };
    const req = send(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { 'User-Agent': 'llm-gitops', ...target.headers } as Record<string, string | string[]>,
        ...(url.username ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
        ...(target.agent ? { agent: target.agent } : {}),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        // Settle first, then destroy: destroying emits 'aborted' synchronously.
        if (status >= 300 && status < 400) {
          done(() => reject(new TransportError('redirect', `answered ${status} (a redirect${res.headers.location ? ` to ${res.headers.location}` : ''}); redirects are never followed — point the kubeconfig at the API server itself`, status)));
          return void req.destroy();
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > limits.maxBytes) {
          done(() => reject(new TransportError('too-large', `announced a ${mib(declared)} response, over the ${mib(limits.maxBytes)} cap`, status)));
          return void req.destroy();
        }
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (bytes > limits.maxBytes) {
            done(() => reject(new TransportError('too-large', `sent more than the ${mib(limits.maxBytes)} response cap`, status)));
            return void req.destroy();
          }
          chunks.push(c);
        });
        res.on('end', () => done(() => resolve({ status, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), bytes })));
        res.on('error', (e) => done(() => reject(e)));
        res.on('aborted', () => done(() => reject(Object.assign(new Error('the connection closed mid-answer'), { code: 'ECONNRESET' }))));
      },
    );
    const cut = (kind: TransportKind, message: string) => {
      done(() => reject(new TransportError(kind, message)));
      req.destroy();
    };
    const timer = setTimeout(() => cut('timeout', `no complete answer within ${limits.timeoutMs / 1000}s`), limits.timeoutMs);
    cleanups.push(() => clearTimeout(timer));
    if (limits.signal) {
      const onAbort = () => cut('deadline', 'the deadline passed while waiting for the answer');
      limits.signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => limits.signal!.removeEventListener('abort', onAbort));
    }
    req.on('error', (e) => done(() => reject(e)));
    req.end();
  });
}
