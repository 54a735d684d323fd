/**
 * `health --probe`: does a Ready model answer? GET <url>/v1/models must list the served name, then
 * POST <url>/v1/chat/completions with max_tokens 1 must answer 200 (a base model without a chat
 * template answers 400: then /v1/completions). One probe per model per run, a few at a time,
 * each bounded by its own timeout and the run's deadline; redirects are not followed; it sends
 * no credential but an optional bearer token from a file.
 */
export interface ProbeTarget {
  readonly key: string;
  /** The model's URL (status.url), or with the --probe-url origin swapped in. */
  readonly url: string;
  readonly served: string;
}

export interface ProbeResult {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly message: string;
}

export interface ProbeOptions {
  readonly timeoutMs: number;
  readonly token?: string;
  readonly signal?: AbortSignal;
  readonly concurrency?: number;
}

/** `--probe-url http://localhost:8080`: the same path on another origin (a port-forward, a CI runner's tunnel). */
export function probeUrl(modelUrl: string, override?: string): string {
  if (!override) return modelUrl;
  const m = new URL(modelUrl);
  const o = new URL(override);
  return `${o.origin}${o.pathname.replace(/\/$/, '')}${m.pathname.replace(/\/$/, '')}`;
}

async function call(url: string, init: RequestInit, opts: ProbeOptions): Promise<{ status: number; body: string }> {
  const signals = [AbortSignal.timeout(opts.timeoutMs), ...(opts.signal ? [opts.signal] : [])];
  const headers: Record<string, string> = { Accept: 'application/json', ...(init.body ? { 'Content-Type': 'application/json' } : {}), ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}) };
  const res = await fetch(url, { ...init, headers, redirect: 'manual', signal: AbortSignal.any(signals) });
  const body = (await res.text()).slice(0, 1 << 16);
  return { status: res.status, body };
}

export async function probeOne(t: ProbeTarget, opts: ProbeOptions): Promise<ProbeResult> {
  const base = t.url.replace(/\/$/, '');
  const started = Date.now();
  const took = () => Date.now() - started;
  try {
    const list = await call(`${base}/v1/models`, { method: 'GET' }, opts);
    if (list.status !== 200) return { ok: false, latencyMs: took(), message: `GET ${base}/v1/models answered ${list.status}` };
    let ids: string[] = [];
    try {
      ids = ((JSON.parse(list.body) as { data?: { id?: string }[] }).data ?? []).map((d) => String(d.id));
    } catch {
      return { ok: false, latencyMs: took(), message: `GET ${base}/v1/models: not JSON` };
    }
    if (!ids.includes(t.served)) return { ok: false, latencyMs: took(), message: `GET ${base}/v1/models lists ${ids.map((i) => `"${i}"`).join(', ') || 'no model'}, not "${t.served}" — clients sending "model": "${t.served}" get 404` };
    const ask = (path: string, body: object) => call(`${base}${path}`, { method: 'POST', body: JSON.stringify(body) }, opts);
    let r = await ask('/v1/chat/completions', { model: t.served, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 });
    let path = '/v1/chat/completions';
    if (r.status === 400) {
      path = '/v1/completions';
      r = await ask(path, { model: t.served, prompt: 'ping', max_tokens: 1 });
    }
    if (r.status !== 200) return { ok: false, latencyMs: took(), message: `POST ${base}${path} answered ${r.status}${r.body ? `: ${r.body.slice(0, 200)}` : ''}` };
    return { ok: true, latencyMs: took(), message: `answers "${t.served}" at ${base}${path} in ${took()} ms` };
  } catch (e) {
    const err = e as Error;
    const why = err.name === 'TimeoutError' || err.name === 'AbortError' ? `no answer within ${opts.timeoutMs / 1000}s` : `${err.message}${(err as { cause?: { code?: string } }).cause?.code ? ` (${(err as { cause?: { code?: string } }).cause!.code})` : ''}`;
    return { ok: false, latencyMs: took(), message: `${base}: ${why}` };
  }
}

/** Every target once, at most `concurrency` at a time. */
export async function probeAll(targets: readonly ProbeTarget[], opts: ProbeOptions): Promise<Map<string, ProbeResult>> {
  const out = new Map<string, ProbeResult>();
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const t = targets[next++]!;
      out.set(t.key, await probeOne(t, opts));
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, targets.length) }, worker));
  return out;
}
