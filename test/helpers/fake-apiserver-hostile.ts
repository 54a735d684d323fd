/**
 * A hostile API server (raw node:http on 127.0.0.1) for the hardening tests: it answers every
 * request in one chosen bad way — endless or looping continue tokens, silence, a body one byte a
 * second, a page that never ends, a 5xx that echoes the request headers, redirects to another
 * port or host. It records what arrived (paths, Authorization headers) and how many bytes it
 * managed to send, so tests can prove a limit stopped the client early.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type Hostility =
  | { readonly kind: 'endless-continue' }
  | { readonly kind: 'repeated-continue' }
  | { readonly kind: 'silence' }
  | { readonly kind: 'slow-body' }
  | { readonly kind: 'huge-page' }
  | { readonly kind: 'echo-5xx' }
  | { readonly kind: 'redirect'; readonly location: (req: IncomingMessage) => string }
  | { readonly kind: 'ok'; readonly items?: readonly unknown[] };

export interface Arrival {
  /** ms since epoch. */
  readonly at: number;
  readonly path: string;
  readonly authorization?: string;
}

export class HostileServer {
  readonly arrivals: Arrival[] = [];
  /** Body bytes written, over all requests. */
  bytesSent = 0;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly port: number,
    private readonly mode: Hostility,
  ) {}

  static async start(mode: Hostility): Promise<HostileServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const h = new HostileServer(server, `http://127.0.0.1:${port}`, port, mode);
    server.on('connection', (s) => {
      h.sockets.add(s);
      s.on('close', () => h.sockets.delete(s));
    });
    server.on('request', (req, res) => h.handle(req, res));
    return h;
  }

  private write(res: ServerResponse, chunk: string | Buffer): boolean {
    if (res.destroyed || res.writableEnded) return false;
    this.bytesSent += Buffer.byteLength(chunk);
    return res.write(chunk);
  }

  private every(ms: number, fn: () => boolean): void {
    const t = setInterval(() => {
      if (!fn()) {
        clearInterval(t);
        this.timers.delete(t);
      }
    }, ms);
    this.timers.add(t);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.arrivals.push({ at: Date.now(), path: url.pathname, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    const list = (items: readonly unknown[], token?: string) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '1', ...(token ? { continue: token } : {}) }, items });
    switch (this.mode.kind) {
      case 'ok': {
        const text = list(this.mode.items ?? []);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        this.write(res, text);
        return void res.end();
      }
      case 'endless-continue': {
        // A fresh token every page: no loop to spot, only the page cap ends it.
        const n = Number(url.searchParams.get('continue') ?? '0') + 1;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        this.write(res, list([], String(n)));
        return void res.end();
      }
      case 'repeated-continue':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        this.write(res, list([], 'same-token'));
        return void res.end();
      case 'silence':
        return; // never answers, keeps the socket open
      case 'slow-body': {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const text = list([]);
        let i = 0;
        return this.every(1000, () => this.write(res, text[i++] ?? ' ') && !res.destroyed);
      }
      case 'huge-page': {
        // No Content-Length: the size shows only while it streams. 1 MiB chunks, for ever.
        res.writeHead(200, { 'Content-Type': 'application/json' });
        this.write(res, '{"kind":"List","metadata":{},"items":[');
        const chunk = Buffer.alloc(1 << 20, ' ');
        const pump = () => {
          while (this.write(res, chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        res.on('close', () => res.removeAllListeners('drain'));
        return pump();
      }
      case 'echo-5xx': {
        const echoed = Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}`).join('\n');
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        this.write(res, `upstream connect error; request was:\n${echoed}`);
        return void res.end();
      }
      case 'redirect':
        res.writeHead(302, { Location: this.mode.location(req), 'Content-Type': 'application/json' });
        this.write(res, list([{ apiVersion: 'serving.kserve.io/v1alpha2', kind: 'LLMInferenceService', metadata: { name: 'chat' } }]));
        return void res.end();
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
