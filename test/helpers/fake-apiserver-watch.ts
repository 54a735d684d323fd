/**
 * A watch as the API server streams it: newline-delimited `{type, object}` events, headers sent at
 * once; without a resourceVersion (or "0") first an ADDED per existing object; with one, the
 * events after it — or an ERROR event with a 410 Expired Status when it is older than the kept
 * history (compacted); `sendInitialEvents` ends its ADDED events with the initial-events-end
 * bookmark; `timeoutSeconds` ends the stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Obj, Store, StoredEvent } from './fake-apiserver-store.js';
import { statusBody } from './fake-apiserver-status.js';

export interface WatchTarget {
  /** Store key of the resource (`group/plural`). */
  readonly key: string;
  readonly namespace: string | undefined;
  readonly match: (o: Obj) => boolean;
  /** The object as served under the requested version. */
  readonly present: (o: Obj) => Obj;
}

/** Streams until the client goes away, the timeout passes or `res` is ended by the server's close(). */
export function serveWatch(store: Store, req: IncomingMessage, res: ServerResponse, t: WatchTarget, open: Set<ServerResponse>): void {
  const q = new URL(req.url ?? '/', 'http://fake').searchParams;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  // The real server answers a watch at once; clients wait for these headers before streaming.
  res.flushHeaders();
  const write = (type: string, object: object) => res.write(`${JSON.stringify({ type, object })}\n`);
  const inScope = (o: Obj) => (t.namespace === undefined || o.metadata.namespace === t.namespace) && t.match(o);
  const rv = q.get('resourceVersion');
  if (q.get('sendInitialEvents') === 'true') {
    for (const o of store.list(t.key, t.namespace, t.match)) write('ADDED', t.present(o));
    write('BOOKMARK', { kind: 'Bookmark', metadata: { resourceVersion: store.resourceVersion, annotations: { 'k8s.io/initial-events-end': 'true' } } });
  } else if (!rv || rv === '0') {
    for (const o of store.list(t.key, t.namespace, t.match)) write('ADDED', t.present(o));
  } else {
    const backlog = store.since(t.key, Number(rv));
    if (!backlog) {
      write('ERROR', statusBody(410, `too old resource version: ${rv} (${store.resourceVersion})`));
      res.end();
      return;
    }
    for (const e of backlog) if (inScope(e.object)) write(e.type, t.present(e.object));
  }
  const stop = store.subscribe((e: StoredEvent) => {
    if (e.resource === t.key && inScope(e.object)) write(e.type, t.present(e.object));
  });
  open.add(res);
  const seconds = Number(q.get('timeoutSeconds') ?? 0);
  const timer = seconds > 0 ? setTimeout(() => res.end(), seconds * 1000) : undefined;
  const done = () => {
    stop();
    if (timer) clearTimeout(timer);
    open.delete(res);
  };
  res.on('close', done);
  req.on('close', done);
}
