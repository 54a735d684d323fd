/**
 * Credentials the standard way: --kubeconfig FILE, else $KUBECONFIG (merged list), else
 * ~/.kube/config, else the in-cluster ServiceAccount (client-node's loadFromDefault order).
 *
 * client-node parses the files, but silently drops what it does not know (kubectl's `tokenFile`,
 * impersonation groups, …) and then sends anonymous requests. So the current user's and
 * cluster's raw entries are read again here and every field is either understood or refused
 * with its name and the fix (kubeconfig-fields.ts). Credentials become an `Auth` the transport
 * applies per request; nothing here talks to the network.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { KubeConfig, type Cluster, type User } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { UsageError } from '../errors.js';
import type { ExecSpec } from './exec.js';
import { checkClusterFields, checkUserFields, type RawEntry } from './kubeconfig-fields.js';
import { displayUrl } from './redact.js';

export interface KubeconfigOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
}

/** client-node's last resort when it found nothing: the insecure port of a local API server. */
const FALLBACK_SERVER = 'http://localhost:8080';

/** How a request proves who it is. Client certificates live in the agent. */
export interface Auth {
  readonly token?: string;
  /** Re-read before every request (projected ServiceAccount tokens rotate). */
  readonly tokenFile?: string;
  readonly basic?: { readonly username: string; readonly password: string };
  readonly exec?: ExecSpec;
  readonly impersonate?: string;
}

export interface LoadedKubeconfig {
  readonly kc: KubeConfig;
  readonly cluster: Cluster;
  /** The server URL as configured (may carry userinfo: never print it; use `displayServer`). */
  readonly server: string;
  readonly displayServer: string;
  readonly context: string;
  readonly auth: Auth;
  /** Literal secrets of this kubeconfig, for the redactor. */
  readonly secrets: readonly string[];
  /** True when no kubeconfig and no in-cluster account was found. */
  readonly fallback: boolean;
}

/** The files client-node read, in its order (first definition of a name wins, as in kubectl). */
function kubeconfigFiles(opts: KubeconfigOptions): string[] {
  if (opts.kubeconfig) return [opts.kubeconfig];
  const env = process.env.KUBECONFIG;
  if (env) return env.split(delimiter).filter(Boolean);
  const home = join(process.env.HOME || homedir(), '.kube', 'config');
  return existsSync(home) ? [home] : [];
}

interface RawDoc {
  readonly file: string;
  readonly doc: { users?: { name?: string; user?: Record<string, unknown> }[]; clusters?: { name?: string; cluster?: Record<string, unknown> }[] };
}

function rawDocs(files: readonly string[]): RawDoc[] {
  return files.flatMap((file) => {
    try {
      const doc = parse(readFileSync(file, 'utf8')) as RawDoc['doc'] | null;
      return doc && typeof doc === 'object' ? [{ file, doc }] : [];
    } catch {
      return [];
    }
  });
}

function rawEntry(docs: readonly RawDoc[], list: 'users' | 'clusters', name: string): RawEntry | undefined {
  for (const { file, doc } of docs) {
    const items = doc[list];
    if (!Array.isArray(items)) continue;
    const i = items.findIndex((x) => x?.name === name);
    if (i < 0) continue;
    const item = items[i] as Record<string, unknown>;
    const body = (list === 'users' ? item.user : item.cluster) as Record<string, unknown> | undefined;
    return { file, where: `${list}[${i}] (${name}).${list === 'users' ? 'user' : 'cluster'}`, fields: body && typeof body === 'object' ? body : {} };
  }
  return undefined;
}

function relativeTo(file: string, p: string): string {
  return isAbsolute(p) ? p : join(dirname(file), p);
}

function authOf(user: User | null, raw: RawEntry | undefined): Auth {
  if (!user) return {};
  const f = raw?.fields ?? {};
  const tokenFile = typeof f.tokenFile === 'string' ? f.tokenFile : typeof f['token-file'] === 'string' ? (f['token-file'] as string) : undefined;
  // In-cluster: client-node's own "tokenFile" auth provider for the ServiceAccount token.
  const providerFile = user.authProvider?.name === 'tokenFile' ? (user.authProvider.config?.tokenFile as string | undefined) : undefined;
  return {
    ...(typeof f.token === 'string' && f.token ? { token: f.token } : !raw && user.token ? { token: user.token } : {}),
    ...(tokenFile && raw ? { tokenFile: relativeTo(raw.file, tokenFile) } : providerFile ? { tokenFile: providerFile } : {}),
    ...(user.username ? { basic: { username: user.username, password: user.password ?? '' } } : {}),
    ...(user.exec ? { exec: { ...(user.exec as ExecSpec), user: user.name } } : {}),
    ...(user.impersonateUser ? { impersonate: user.impersonateUser } : {}),
  };
}

export function loadKubeconfig(opts: KubeconfigOptions): LoadedKubeconfig {
  const kc = new KubeConfig();
  try {
    if (opts.kubeconfig) {
      if (!existsSync(opts.kubeconfig)) throw new UsageError(`--kubeconfig ${opts.kubeconfig}: no such file`);
      kc.loadFromFile(opts.kubeconfig);
    } else kc.loadFromDefault();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // client-node's messages may quote the file; never its secrets.
    throw new UsageError(`cannot read the kubeconfig: ${displayUrl((e as Error).message)}`);
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      throw new UsageError(`--context ${opts.context}: no such context (known: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(opts.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new UsageError(`the kubeconfig's current context "${kc.getCurrentContext()}" names no cluster`);
  const docs = rawDocs(kubeconfigFiles(opts));
  const user = kc.getCurrentUser();
  const rawUser = user ? rawEntry(docs, 'users', user.name) : undefined;
  const rawCluster = rawEntry(docs, 'clusters', cluster.name);
  const problems = [...(rawUser ? checkUserFields(rawUser) : []), ...(rawCluster ? checkClusterFields(rawCluster) : [])];
  if (problems.length) throw new UsageError(problems.join('\n'));

  // client-node refuses http:// unless skipTLSVerify is set ("HTTP protocol is not allowed…");
  // kubectl talks to such a server (e.g. `kubectl proxy`) without it, so do the same.
  let effective = cluster;
  if (cluster.server.startsWith('http://') && !cluster.skipTLSVerify) {
    effective = { ...cluster, skipTLSVerify: true };
    kc.clusters = kc.clusters.map((c) => (c.name === cluster.name ? effective : c));
  }
  const auth = authOf(user, rawUser);
  const url = safeUrl(cluster.server);
  const secrets = [auth.token, auth.basic?.password, url?.password ? decodeURIComponent(url.password) : undefined, user?.token].filter((s): s is string => !!s);
  const fallback = !opts.kubeconfig && cluster.server === FALLBACK_SERVER && cluster.name === 'cluster';
  // client-node found nothing and would try http://localhost:8080: say so once, before any request.
  if (fallback) {
    const looked = process.env.KUBECONFIG ? `$KUBECONFIG (${process.env.KUBECONFIG})` : `$KUBECONFIG (unset), ${join(process.env.HOME || homedir(), '.kube', 'config')}`;
    throw new UsageError(`no kubeconfig found (looked in ${looked} and for an in-cluster service account) — pass --kubeconfig FILE, set KUBECONFIG, or run in a pod`);
  }
  return { kc, cluster: effective, server: cluster.server, displayServer: displayUrl(cluster.server), context: kc.getCurrentContext(), auth, secrets, fallback };
}

function safeUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}
