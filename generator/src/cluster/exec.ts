/**
 * Exec credential plugins (kubeconfig `users[].user.exec`), run by us rather than by client-node,
 * whose runner has no deadline (a plugin waiting for a browser login hangs the check forever).
 * The plugin is spawned with the run's AbortSignal and killed (SIGKILL) when it fires; its output
 * is capped; its ExecCredential is cached until `expirationTimestamp`. Its stdout holds the
 * credential and is never printed; its stderr only redacted.
 */
import { spawn } from 'node:child_process';

export interface ExecSpec {
  readonly command: string;
  readonly args?: readonly string[];
  readonly env?: readonly { readonly name: string; readonly value: string }[];
  readonly apiVersion?: string;
  readonly installHint?: string;
  readonly provideClusterInfo?: boolean;
  /** The kubeconfig user it belongs to (cache key). */
  readonly user?: string;
}

export interface ExecCredential {
  readonly token?: string;
  readonly clientCertificateData?: string;
  readonly clientKeyData?: string;
  /** ms since epoch; undefined = valid for the whole run. */
  readonly expiresAt?: number;
}

export class ExecError extends Error {
  constructor(
    message: string,
    readonly aborted = false,
  ) {
    super(message);
    this.name = 'ExecError';
  }
}

const MAX_OUTPUT = 1 << 20;

/** Runs the plugin once; rejects with ExecError (aborted = the deadline fired). */
export function runExec(spec: ExecSpec, server: string, signal?: AbortSignal): Promise<ExecCredential> {
  const apiVersion = spec.apiVersion ?? 'client.authentication.k8s.io/v1';
  const info = {
    apiVersion,
    kind: 'ExecCredential',
    spec: { interactive: false, ...(spec.provideClusterInfo ? { cluster: { server } } : {}) },
  };
  const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: JSON.stringify(info) };
  for (const e of spec.env ?? []) env[e.name] = e.value;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ExecError(`credential plugin "${spec.command}" not started: the deadline had passed`, true));
    const child = spawn(spec.command, [...(spec.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let out = '';
    let err = '';
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    const onAbort = () => {
      child.kill('SIGKILL');
      finish(() => reject(new ExecError(`credential plugin "${spec.command}" did not finish before the deadline (killed)`, true)));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.length > MAX_OUTPUT) {
        child.kill('SIGKILL');
        finish(() => reject(new ExecError(`credential plugin "${spec.command}" wrote more than ${MAX_OUTPUT} bytes (killed)`)));
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (err.length < 4096) err += d;
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      const hint = e.code === 'ENOENT' ? ` — not found${spec.installHint ? `: ${spec.installHint.trim()}` : ' (is it installed and on PATH?)'}` : `: ${e.message}`;
      finish(() => reject(new ExecError(`credential plugin "${spec.command}"${hint}`)));
    });
    child.on('close', (code) => {
      finish(() => {
        if (code !== 0) return reject(new ExecError(`credential plugin "${spec.command}" exited with ${code}${err.trim() ? `: ${err.trim().slice(0, 500)}` : ''}`));
        try {
          resolve(parseCredential(out, apiVersion));
        } catch (e) {
          reject(new ExecError(`credential plugin "${spec.command}": ${(e as Error).message}`));
        }
      });
    });
  });
}

function parseCredential(text: string, apiVersion: string): ExecCredential {
  let doc: { apiVersion?: unknown; kind?: unknown; status?: Record<string, unknown> };
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error('its output is not an ExecCredential (not JSON)');
  }
  if (doc?.kind !== 'ExecCredential' || !doc.status || typeof doc.status !== 'object') throw new Error('its output is not an ExecCredential with a status');
  if (doc.apiVersion !== undefined && doc.apiVersion !== apiVersion) throw new Error(`it answered ${String(doc.apiVersion)}, the kubeconfig asks for ${apiVersion}`);
  const s = doc.status;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const token = str(s.token);
  const cert = str(s.clientCertificateData);
  const key = str(s.clientKeyData);
  if (!token && !(cert && key)) throw new Error('its ExecCredential has neither a token nor a client certificate and key');
  const exp = str(s.expirationTimestamp);
  const expiresAt = exp ? Date.parse(exp) : NaN;
  return { ...(token ? { token } : {}), ...(cert ? { clientCertificateData: cert } : {}), ...(key ? { clientKeyData: key } : {}), ...(Number.isFinite(expiresAt) ? { expiresAt } : {}) };
}

/** One plugin run shared by concurrent requests, reused until it expires. */
export function execCache(spec: ExecSpec, server: string, onCredential?: (c: ExecCredential) => void) {
  let current: Promise<ExecCredential> | undefined;
  let value: ExecCredential | undefined;
  return async (signal?: AbortSignal): Promise<ExecCredential> => {
    if (value && (value.expiresAt === undefined || value.expiresAt - 10_000 > Date.now())) return value;
    current ??= runExec(spec, server, signal).then(
      (c) => {
        value = c;
        current = undefined;
        onCredential?.(c);
        return c;
      },
      (e) => {
        current = undefined;
        throw e;
      },
    );
    return current;
  };
}
