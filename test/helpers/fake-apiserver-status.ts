/**
 * Failure bodies as the real API server writes them (metav1.Status), and the messages of injected
 * faults (a 403 reads exactly like RBAC's, so error handling is tested against the real text).
 */
import type { RequestInfo } from './fake-apiserver.js';

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  410: 'Expired',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** A metav1.Status failure body, as the real server sends. */
export function statusBody(code: number, message: string, details?: object): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: REASONS[code] ?? 'Unknown', ...(details ? { details } : {}), code };
}

/** The message of an injected fault of status `code` on request `r`. */
export function faultMessage(code: number, r: RequestInfo): string {
  if (code === 403) {
    const m = /^\/apis\/([^/]+)\/[^/]+\/(?:namespaces\/([^/]+)\/)?([^/]+)(?:\/([^/]+))?$/.exec(r.path);
    const [, group = '', ns, plural = '', name] = m ?? [];
    const verb = r.watch ? 'watch' : name ? 'get' : 'list';
    const where = ns ? ` in the namespace "${ns}"` : ' at the cluster scope';
    return `${plural}.${group} is forbidden: User "system:serviceaccount:llm-prod:llm-gitops-health" cannot ${verb} resource "${plural}" in API group "${group}"${where}`;
  }
  if (code === 401) return 'Unauthorized';
  if (code === 429) return 'Too many requests, please try again later.';
  if (code === 410) return 'The provided continue parameter is too old to display a consistent list result.';
  return code >= 500 ? 'Internal error occurred: etcdserver: request timed out' : 'injected fault';
}
