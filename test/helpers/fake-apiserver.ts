/**
 * An in-process Kubernetes API server (node:http on 127.0.0.1) that speaks the real protocol for
 * what `health` and kubectl use: discovery, list with limit/continue and resourceVersion, get,
 * watch (newline-delimited events, 410 Expired for a compacted resourceVersion), Status error
 * bodies, bearer-token auth, fault injection per request, and a request log to count calls.
 * Objects are plain JSON; the kinds it serves come from the real CRDs (fake-apiserver-types.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import {
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  coreResources,
  healthTypes,
  type ResourceType,
} from './fake-apiserver-types.js';
import { selector, Store, type Obj } from './fake-apiserver-store.js';
import { faultMessage, statusBody } from './fake-apiserver-status.js';
import { table, wantsTable } from './fake-apiserver-table.js';
import { serveWatch } from './fake-apiserver-watch.js';
import { apply, builtinTypes, readBody, type ApplyContext } from './fake-apiserver-apply.js';

export type { Obj } from './fake-apiserver-store.js';
export { statusBody } from './fake-apiserver-status.js';

/** One answered request. */
export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly watch: boolean;
  readonly status: number;
  readonly accept?: string;
  /** When it was answered (ms since epoch). */
  readonly at: number;
}

export interface RequestInfo {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly watch: boolean;
}

/** An injected failure: an HTTP status (with a Status body), a request that never answers, or a reset connection. */
export type Fault = number | { readonly status: number; readonly retryAfter?: number; readonly message?: string } | 'hang' | 'reset';

interface FaultRule {
  readonly match: (r: RequestInfo) => boolean;
  readonly queue: Fault[];
}

export interface FakeOptions {
  /** Served kinds. @default the three kinds health reads, from the real CRDs */
  readonly types?: readonly ResourceType[];
  /** Bearer token a request must carry when it sends one. @default "fake-token" */
  readonly token?: string;
  /**
   * Serve requests without credentials. kubectl (client-go) never sends a token to an http://
   * server, so the kubectl tests need this; a wrong token is always 401. @default true
   */
  readonly anonymous?: boolean;
  readonly historyLimit?: number;
  /**
   * Serve server-side apply (fake-apiserver-apply.ts), start with only the built-in kinds (plus
   * `types`), and register a CRD's kinds when one is applied. @default false
   */
  readonly apply?: boolean;
}

export class FakeApiServer {
  readonly requests: RequestRecord[] = [];
  readonly store: Store;
  private readonly faults: FaultRule[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly watches = new Set<ServerResponse>();
  /** Set when apply mode is on. */
  readonly applying?: ApplyContext;
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly types: ResourceType[],
    readonly token: string,
    private readonly anonymous: boolean,
    historyLimit: number,
  ) {
    this.store = new Store(historyLimit);
  }

  private enableApply(): void {
    (this as { applying?: ApplyContext }).applying = { types: this.types, store: this.store, namespaces: new Set(['default', 'kube-system']), applied: [] };
  }

  static async start(opts: FakeOptions = {}): Promise<FakeApiServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const types = opts.apply ? [...builtinTypes(), ...(opts.types ?? [])] : [...(opts.types ?? healthTypes())];
    const fake = new FakeApiServer(server, `http://127.0.0.1:${port}`, types, opts.token ?? 'fake-token', opts.anonymous ?? true, opts.historyLimit ?? 10_000);
    if (opts.apply) fake.enableApply();
    server.on('connection', (s) => {
      fake.sockets.add(s);
      s.on('close', () => fake.sockets.delete(s));
    });
    server.on('request', (req, res) => fake.handle(req, res));
    return fake;
  }

  /** Creates or replaces an object (by its apiVersion and kind). */
  put(obj: Obj): Obj {
    return this.store.put(this.resourceOf(obj).key, obj);
  }

  /** Read-modify-write of a stored object; `fn` may mutate it. */
  update(apiVersion: string, kind: string, namespace: string | undefined, name: string, fn: (o: Obj) => void): Obj {
    const { key } = this.resourceOf({ apiVersion, kind, metadata: { name } });
    const o = this.store.get(key, namespace, name);
    if (!o) throw new Error(`no ${kind} ${namespace}/${name}`);
    fn(o);
    return this.store.put(key, o);
  }

  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): boolean {
    return this.store.remove(this.resourceOf({ apiVersion, kind, metadata: { name } }).key, namespace, name);
  }

  /** Answers the next requests matching `match` with `faults`, in order; later ones pass through. */
  fault(match: string | RegExp | ((r: RequestInfo) => boolean), ...faults: Fault[]): void {
    const m =
      typeof match === 'function' ? match : typeof match === 'string' ? (r: RequestInfo) => r.path === match : (r: RequestInfo) => match.test(r.path);
    this.faults.push({ match: m, queue: [...faults] });
  }

  /** Resolves once `count` answered requests match `match` (to change the cluster between poll rounds). */
  async when(match: (r: RequestRecord) => boolean, count = 1): Promise<void> {
    while (this.requests.filter(match).length < count) await new Promise((r) => setTimeout(r, 10));
  }

  /** Requests that were not discovery (list, get, watch). */
  get dataRequests(): RequestRecord[] {
    return this.requests.filter((r) => /\/(namespaces\/[^/]+\/)?[a-z0-9]+(\/[^/]+)?$/.test(r.path) && !isDiscovery(r.path));
  }

  /** A kubeconfig for this server; `token` overrides the right one (to provoke 401). */
  writeKubeconfig(path: string, token = this.token): string {
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'fake', user: { token } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake', namespace: 'default' } }],
      'current-context': 'fake',
    };
    writeFileSync(path, stringify(config));
    return path;
  }

  async close(): Promise<void> {
    for (const w of this.watches) w.end();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private resourceOf(obj: Pick<Obj, 'apiVersion' | 'kind' | 'metadata'>): { type: ResourceType; key: string } {
    const [group, version] = (obj.apiVersion ?? '').includes('/') ? obj.apiVersion!.split('/') : ['', obj.apiVersion];
    const type = this.types.find((t) => t.group === group && t.version === version && t.kind === obj.kind);
    if (!type) throw new Error(`fake API server does not serve ${obj.apiVersion} ${obj.kind}`);
    return { type, key: `${type.group}/${type.plural}` };
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const q = url.searchParams;
    const info: RequestInfo = { method: req.method ?? 'GET', path: url.pathname, query: q, watch: q.get('watch') === 'true' || q.get('watch') === '1' };
    const log = (status: number) =>
      this.requests.push({ method: info.method, path: info.path, query: Object.fromEntries(q), watch: info.watch, status, ...(req.headers.accept ? { accept: req.headers.accept } : {}), at: Date.now() });
    const send = (status: number, body: object, headers: Record<string, string> = {}) => {
      log(status);
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
      res.end(text);
    };

    const rule = this.faults.find((f) => f.queue.length && f.match(info));
    if (rule) {
      const fault = rule.queue.shift()!;
      if (fault === 'hang') return log(0);
      if (fault === 'reset') {
        log(0);
        req.socket.destroy();
        return;
      }
      const f = typeof fault === 'number' ? { status: fault } : fault;
      const headers: Record<string, string> = f.retryAfter !== undefined ? { 'Retry-After': String(f.retryAfter) } : {};
      return send(f.status, statusBody(f.status, f.message ?? faultMessage(f.status, info)), headers);
    }
    const auth = req.headers.authorization;
    if (auth ? auth !== `Bearer ${this.token}` : !this.anonymous) return send(401, statusBody(401, 'Unauthorized'));
    if (info.method === 'PATCH' && this.applying) {
      const ctx = this.applying;
      void readBody(req).then((body) => {
        const [status, doc] = apply(ctx, url.pathname, req.headers['content-type'], body);
        send(status, doc);
      });
      return;
    }
    if (info.method !== 'GET') return send(405, statusBody(405, `the server does not allow this method on the requested resource`));

    const parts = url.pathname.split('/').filter(Boolean);
    if (url.pathname === '/version') return send(200, { major: '1', minor: '34', gitVersion: 'v1.34.0-fake', platform: 'linux/amd64' });
    if (url.pathname === '/api') return send(200, apiVersions());
    if (url.pathname === '/api/v1') return send(200, this.applying ? { ...apiResourceList(this.types, '', 'v1')!, groupVersion: 'v1' } : coreResources());
    // kubectl looks the namespace up after a NotFound, to say which of the two is missing.
    const nsPath = /^\/api\/v1\/namespaces(?:\/([^/]+))?$/.exec(url.pathname);
    if (nsPath) {
      const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
      if (!nsPath[1]) return send(200, { apiVersion: 'v1', kind: 'NamespaceList', metadata: { resourceVersion: this.store.resourceVersion }, items: [...this.store.namespaces].sort().map(ns) });
      if (this.store.namespaces.has(nsPath[1])) return send(200, ns(nsPath[1]));
      return send(404, statusBody(404, `namespaces "${nsPath[1]}" not found`, { name: nsPath[1], kind: 'namespaces' }));
    }
    if (url.pathname === '/apis') return send(200, apiGroupList(this.types.filter((t) => t.group !== '')));
    // Core kinds live under /api/v1/…, the others under /apis/<group>/<version>/….
    const core = parts[0] === 'api' && parts[1] === 'v1' && parts.length > 2;
    if (parts[0] !== 'apis' && !core) return send(404, statusBody(404, 'the server could not find the requested resource'));
    const [group = '', version, ...rest] = core ? ['', 'v1', ...parts.slice(2)] : parts.slice(1);
    if (!version) return this.orNotFound(send, apiGroup(this.types, group));
    if (!rest.length) return this.orNotFound(send, apiResourceList(this.types, group, version));

    // /namespaces/<ns>/<plural>[/<name>] or /<plural>[/<name>]
    const namespaced = rest[0] === 'namespaces' && rest.length >= 3;
    const ns = namespaced ? rest[1] : undefined;
    const [plural, name, sub] = namespaced ? rest.slice(2) : rest;
    const type = this.types.find((t) => t.group === group && t.version === version && t.plural === plural);
    if (!type || sub !== undefined && sub !== 'status') return send(404, statusBody(404, 'the server could not find the requested resource'));
    const key = `${type.group}/${type.plural}`;
    const gv = `${type.group}/${type.version}`;
    const present = (o: Obj) => ({ ...o, apiVersion: gv, kind: type.kind });

    if (name !== undefined) {
      const o = this.store.get(key, ns, name);
      if (!o) return send(404, statusBody(404, `${type.plural}.${type.group} "${name}" not found`, { name, group: type.group, kind: type.plural }));
      return send(200, present(o));
    }
    const match = selector(q.get('labelSelector'), q.get('fieldSelector'));
    if (info.watch) {
      log(200);
      return serveWatch(this.store, req, res, { key, namespace: ns, match, present }, this.watches);
    }

    const limit = Number(q.get('limit') ?? 0);
    const token = q.get('continue');
    let items: readonly Obj[];
    let offset = 0;
    let snapId: string | undefined;
    let rv = this.store.resourceVersion;
    if (token) {
      const t = decodeToken(token);
      const snap = t && this.store.fromSnapshot(t.s);
      if (!t || !snap) {
        return send(410, statusBody(410, 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.'));
      }
      [items, offset, snapId, rv] = [snap, t.o, t.s, t.rv];
    } else items = this.store.list(key, ns, match);
    const page = limit > 0 ? items.slice(offset, offset + limit) : items.slice(offset);
    const next = offset + page.length;
    const metadata: Record<string, unknown> = { resourceVersion: rv };
    if (limit > 0 && next < items.length) {
      snapId ??= this.store.snapshot(items);
      metadata.continue = encodeToken({ s: snapId, o: next, rv });
      metadata.remainingItemCount = items.length - next;
    }
    if (wantsTable(req.headers.accept)) return send(200, table(type, page.map(present), metadata));
    // Metadata only (what kubectl get --show-kind -o name and controllers' metadata informers ask for).
    if (/as=PartialObjectMetadataList/.test(req.headers.accept ?? '')) {
      return send(200, { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadataList', metadata, items: page.map((o) => ({ apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: o.metadata })) });
    }
    return send(200, { apiVersion: gv, kind: type.listKind, metadata, items: page.map(present) });
  }

  private orNotFound(send: (s: number, b: object) => void, doc: object | undefined): void {
    if (doc) send(200, doc);
    else send(404, statusBody(404, 'the server could not find the requested resource'));
  }
}

function isDiscovery(path: string): boolean {
  return path === '/api' || path === '/apis' || path === '/version' || /^\/api\/v1$/.test(path) || /^\/apis\/[^/]+(\/[^/]+)?$/.test(path);
}

function encodeToken(t: { s: string; o: number; rv: string }): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeToken(token: string): { s: string; o: number; rv: string } | undefined {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { s: string; o: number; rv: string };
  } catch {
    return undefined;
  }
}
