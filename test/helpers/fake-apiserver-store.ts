/**
 * The fake API server's storage: objects per resource, one global resourceVersion (as etcd's
 * revision), a bounded event history for watches, selectors, and consistent paginated lists
 * (a continue token points into a snapshot taken by the first page, as etcd serves a chunked
 * list at one revision).
 */
import { randomUUID } from 'node:crypto';

export type Obj = { apiVersion?: string; kind?: string; metadata: Meta; spec?: unknown; status?: unknown; [k: string]: unknown };
export type Meta = {
  name: string;
  namespace?: string;
  generation?: number;
  resourceVersion?: string;
  uid?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [k: string]: unknown;
};

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface StoredEvent {
  readonly rv: number;
  readonly resource: string;
  readonly type: EventType;
  readonly object: Obj;
}

/** `labelSelector`/`fieldSelector` as a predicate (equality, inequality and existence). */
export function selector(labels: string | null, fields: string | null): (o: Obj) => boolean {
  const terms = (s: string | null) => (s ? s.split(',').map((t) => t.trim()).filter(Boolean) : []);
  const test = (get: (k: string) => string | undefined) => (term: string) => {
    const m = /^(!?)([^=!]+?)\s*(==|=|!=)?\s*([^=!]*)$/.exec(term);
    if (!m) return false;
    const [, not, key = '', op, value = ''] = m;
    const v = get(key);
    if (!op) return not ? v === undefined : v !== undefined;
    return op === '!=' ? v !== value : v === value;
  };
  const field = (o: Obj) => (k: string) =>
    k === 'metadata.name' ? o.metadata.name : k === 'metadata.namespace' ? (o.metadata.namespace ?? '') : undefined;
  return (o) => terms(labels).every(test((k) => o.metadata.labels?.[k])) && terms(fields).every(test(field(o)));
}

const clone = <T>(v: T): T => structuredClone(v);

export class Store {
  private rv = 100;
  private readonly objects = new Map<string, Map<string, Obj>>();
  private readonly history: StoredEvent[] = [];
  /** Watches from a resourceVersion below this get 410 Expired (the "compacted" past). */
  private floor = 0;
  private readonly snapshots = new Map<string, readonly Obj[]>();
  private readonly listeners = new Set<(e: StoredEvent) => void>();
  /** Namespaces that exist: every namespace an object was ever put in, plus the usual ones. */
  readonly namespaces = new Set(['default', 'kube-system']);

  constructor(private readonly historyLimit = 10_000) {}

  get resourceVersion(): string {
    return String(this.rv);
  }

  private bucket(resource: string): Map<string, Obj> {
    let b = this.objects.get(resource);
    if (!b) this.objects.set(resource, (b = new Map()));
    return b;
  }

  /** Creates or replaces; generation is kept when given, else 1 on create and +1 when spec changes. */
  put(resource: string, input: Obj): Obj {
    const b = this.bucket(resource);
    const key = `${input.metadata.namespace ?? ''}/${input.metadata.name}`;
    const old = b.get(key);
    const obj = clone(input);
    if (input.metadata.namespace) this.namespaces.add(input.metadata.namespace);
    this.rv += 1;
    const specChanged = !old || JSON.stringify(old.spec) !== JSON.stringify(obj.spec);
    obj.metadata = {
      ...obj.metadata,
      uid: old?.metadata.uid ?? obj.metadata.uid ?? randomUUID(),
      creationTimestamp: old?.metadata.creationTimestamp ?? obj.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      generation: input.metadata.generation ?? (old ? (old.metadata.generation ?? 1) + (specChanged ? 1 : 0) : 1),
      resourceVersion: String(this.rv),
    };
    b.set(key, obj);
    this.record({ rv: this.rv, resource, type: old ? 'MODIFIED' : 'ADDED', object: obj });
    return clone(obj);
  }

  remove(resource: string, namespace: string | undefined, name: string): boolean {
    const b = this.bucket(resource);
    const key = `${namespace ?? ''}/${name}`;
    const old = b.get(key);
    if (!old) return false;
    b.delete(key);
    this.rv += 1;
    this.record({ rv: this.rv, resource, type: 'DELETED', object: { ...old, metadata: { ...old.metadata, resourceVersion: String(this.rv) } } });
    return true;
  }

  get(resource: string, namespace: string | undefined, name: string): Obj | undefined {
    const o = this.bucket(resource).get(`${namespace ?? ''}/${name}`);
    return o && clone(o);
  }

  /** Sorted by namespace/name, as etcd's key order. */
  list(resource: string, namespace: string | undefined, match: (o: Obj) => boolean): Obj[] {
    return [...this.bucket(resource).entries()]
      .filter(([, o]) => (namespace === undefined || o.metadata.namespace === namespace) && match(o))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => o);
  }

  /** Keeps `items` for the continue tokens of one chunked list; returns its id. */
  snapshot(items: readonly Obj[]): string {
    const id = randomUUID();
    this.snapshots.set(id, items);
    return id;
  }

  fromSnapshot(id: string): readonly Obj[] | undefined {
    return this.snapshots.get(id);
  }

  /** Forget history and snapshots: older watch resourceVersions and continue tokens now get 410. */
  compact(): void {
    this.history.length = 0;
    this.snapshots.clear();
    this.floor = this.rv;
  }

  /** Events after `rv` for `resource`, or undefined when `rv` is older than what is kept. */
  since(resource: string, rv: number): StoredEvent[] | undefined {
    if (rv < this.floor) return undefined;
    return this.history.filter((e) => e.resource === resource && e.rv > rv);
  }

  subscribe(fn: (e: StoredEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private record(e: StoredEvent): void {
    this.history.push(e);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.floor = dropped[dropped.length - 1]!.rv;
    }
    for (const fn of this.listeners) fn(e);
  }
}
