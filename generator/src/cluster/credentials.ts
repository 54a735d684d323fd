/**
 * Kubeconfig → what each request carries: an agent (CA, client certificate, TLS server name,
 * proxy) and headers (bearer token from the kubeconfig, a token file re-read per request, an
 * exec plugin's credential, basic auth, impersonation). Every secret met on the way is handed to
 * the run's redactor, so no output can echo it.
 */
import { readFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import type { Cluster, KubeConfig, User } from '@kubernetes/client-node';
import { execCache, ExecError, type ExecCredential } from './exec.js';
import type { Auth, LoadedKubeconfig } from './kubeconfig.js';
import type { Redactor } from './redact.js';

export interface RequestAuth {
  readonly agent: Agent;
  readonly headers: Record<string, string>;
}

function fileOrData(file: string | undefined, data: string | undefined): Buffer | undefined {
  if (file) return readFileSync(file);
  if (data) return Buffer.from(data, 'base64');
  return undefined;
}

interface AgentFactory {
  createAgent(cluster: Cluster, options: Record<string, unknown>): Agent;
}

function makeAgent(kc: KubeConfig, cluster: Cluster, user: User | null, exec?: ExecCredential): Agent {
  const ca = fileOrData(cluster.caFile, cluster.caData);
  const cert = exec?.clientCertificateData ? Buffer.from(exec.clientCertificateData) : fileOrData(user?.certFile, user?.certData);
  const key = exec?.clientKeyData ? Buffer.from(exec.clientKeyData) : fileOrData(user?.keyFile, user?.keyData);
  const options = {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(cluster.skipTLSVerify ? { rejectUnauthorized: false } : {}),
    ...(cluster.tlsServerName ? { servername: cluster.tlsServerName } : {}),
    keepAlive: true,
  };
  // client-node 1.4.0 (pinned) builds the right agent for https, http and proxy-url; it is
  // private in its typings only.
  return (kc as unknown as AgentFactory).createAgent(cluster, options);
}

/** Per-request authentication; `authorize` may run the exec plugin (bounded by `signal`). */
export function credentials(loaded: LoadedKubeconfig, redact: Redactor): (signal?: AbortSignal) => Promise<RequestAuth> {
  const { kc, cluster, auth } = loaded;
  const user = kc.getCurrentUser();
  const base = makeAgent(kc, cluster, user);
  const exec = auth.exec ? execCache(auth.exec, loaded.server, (c) => [c.token, c.clientKeyData, c.clientCertificateData].forEach(redact.add)) : undefined;
  let execAgent: { cert: string | undefined; agent: Agent } | undefined;
  const staticHeaders = headersOf(auth);
  if (staticHeaders.Authorization) redact.add(staticHeaders.Authorization.replace(/^\w+ /, ''));
  return async (signal) => {
    const headers = { ...staticHeaders };
    let agent = base;
    if (auth.tokenFile) {
      let token: string;
      try {
        token = readFileSync(auth.tokenFile, 'utf8').trim();
      } catch (e) {
        throw new ExecError(`the kubeconfig's token file ${auth.tokenFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      redact.add(token);
      headers.Authorization = `Bearer ${token}`;
    }
    if (exec) {
      const c = await exec(signal);
      if (c.token) headers.Authorization = `Bearer ${c.token}`;
      if (c.clientCertificateData) {
        if (execAgent?.cert !== c.clientCertificateData) execAgent = { cert: c.clientCertificateData, agent: makeAgent(kc, cluster, user, c) };
        agent = execAgent.agent;
      }
    }
    return { agent, headers };
  };
}

function headersOf(auth: Auth): Record<string, string> {
  const h: Record<string, string> = {};
  if (auth.basic) h.Authorization = `Basic ${Buffer.from(`${auth.basic.username}:${auth.basic.password}`).toString('base64')}`;
  if (auth.token) h.Authorization = `Bearer ${auth.token}`;
  if (auth.impersonate) h['Impersonate-User'] = auth.impersonate;
  return h;
}
