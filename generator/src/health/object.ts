/**
 * Narrow, defensive readers for the objects the API returns (typed `unknown`: a CR's status is
 * whatever its controller wrote, possibly nothing).
 */

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown' | string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
  readonly observedGeneration?: number;
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly generation?: number;
  readonly deletionTimestamp?: string;
  readonly finalizers?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

type Rec = Record<string, unknown>;

export function record(v: unknown): Rec | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined;
}

/** `obj.a.b.c` when every step is an object; undefined otherwise. */
export function path(v: unknown, ...keys: string[]): unknown {
  let cur: unknown = v;
  for (const k of keys) cur = record(cur)?.[k];
  return cur;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function meta(obj: unknown): ObjectMeta {
  return (record(path(obj, 'metadata')) ?? { name: '' }) as unknown as ObjectMeta;
}

export function conditions(obj: unknown): Condition[] {
  const list = path(obj, 'status', 'conditions');
  return Array.isArray(list) ? (list.filter((c) => typeof record(c)?.type === 'string') as Condition[]) : [];
}

export function condition(obj: unknown, type: string): Condition | undefined {
  return conditions(obj).find((c) => c.type === type);
}

/** `reason: message`, or whichever of the two exists. */
export function explain(c: Pick<Condition, 'reason' | 'message'> | undefined): string {
  return [c?.reason, c?.message].filter(Boolean).join(': ');
}
