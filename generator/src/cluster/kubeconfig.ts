/**
 * Credentials the standard way: --kubeconfig FILE, else $KUBECONFIG (merged list), else
 * ~/.kube/config, else the in-cluster ServiceAccount (client-node's loadFromDefault order).
 */
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { UsageError } from '../errors.js';

export interface KubeconfigOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
}

/** client-node's last resort when it found nothing: the insecure port of a local API server. */
const FALLBACK_SERVER = 'http://localhost:8080';

export interface LoadedKubeconfig {
  readonly kc: KubeConfig;
  readonly server: string;
  readonly context: string;
  /** True when no kubeconfig and no in-cluster account was found. */
  readonly fallback: boolean;
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
    throw new UsageError(`cannot read the kubeconfig: ${(e as Error).message}`);
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      throw new UsageError(`--context ${opts.context}: no such context (known: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(opts.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new UsageError(`the kubeconfig's current context "${kc.getCurrentContext()}" names no cluster`);
  // client-node refuses http:// unless skipTLSVerify is set ("HTTP protocol is not allowed…");
  // kubectl talks to such a server (e.g. `kubectl proxy`) without it, so do the same.
  if (cluster.server.startsWith('http://') && !cluster.skipTLSVerify) {
    kc.clusters = kc.clusters.map((c) => (c.name === cluster.name ? { ...c, skipTLSVerify: true } : c));
  }
  const fallback = !opts.kubeconfig && cluster.server === FALLBACK_SERVER && cluster.name === 'cluster';
  return { kc, server: cluster.server, context: kc.getCurrentContext(), fallback };
}
