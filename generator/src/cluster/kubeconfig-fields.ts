/**
 * Which kubeconfig fields `health` and `preflight` understand. A field that would change who we
 * are or how we connect, but that we do not implement, is an error naming the field and the fix:
 * silently ignoring it (as client-node does with kubectl's `tokenFile`) sends anonymous requests
 * and reports "forbidden" for reasons nobody can see.
 */

export interface RawEntry {
  /** The kubeconfig file that defines the entry. */
  readonly file: string;
  /** `users[0] (ci).user` */
  readonly where: string;
  readonly fields: Record<string, unknown>;
}

/** kubectl's own spelling of every user field we implement. */
const USER_FIELDS = new Set([
  'token',
  'tokenFile',
  'token-file', // client-node's spelling; accepted too
  'client-certificate',
  'client-certificate-data',
  'client-key',
  'client-key-data',
  'username',
  'password',
  'exec',
  'as',
  'extensions',
]);

const CLUSTER_FIELDS = new Set([
  'server',
  'certificate-authority',
  'certificate-authority-data',
  'insecure-skip-tls-verify',
  'tls-server-name',
  'proxy-url',
  'disable-compression',
  'extensions',
]);

const EXEC_FIELDS = new Set(['command', 'args', 'env', 'apiVersion', 'installHint', 'provideClusterInfo', 'interactiveMode']);

/** Known but not implemented: why, and what to do instead. */
const USER_UNSUPPORTED: Record<string, string> = {
  'auth-provider': 'auth-provider plugins were removed in kubectl 1.26 — use an exec credential plugin (kubelogin, gke-gcloud-auth-plugin, aws eks get-token) under `exec:`',
  'as-groups': 'impersonating groups is not supported — bind the needed read-only role to the user itself (or to the ServiceAccount of the health job)',
  'as-uid': 'impersonating a UID is not supported — remove it, or bind the read-only role to the user itself',
  'as-user-extra': 'impersonation extras are not supported — remove them, or bind the read-only role to the user itself',
};

/** Near misses of field names (camelCase where kubectl wants kebab-case and the like). */
const SPELLING: Record<string, string> = {
  clientCertificate: 'client-certificate',
  clientCertificateData: 'client-certificate-data',
  clientKey: 'client-key',
  clientKeyData: 'client-key-data',
  authProvider: 'auth-provider',
  tokenfile: 'tokenFile',
  token_file: 'tokenFile',
  certificateAuthority: 'certificate-authority',
  certificateAuthorityData: 'certificate-authority-data',
  insecureSkipTlsVerify: 'insecure-skip-tls-verify',
  insecureSkipTLSVerify: 'insecure-skip-tls-verify',
  tlsServerName: 'tls-server-name',
  proxyUrl: 'proxy-url',
  proxyURL: 'proxy-url',
};

function check(entry: RawEntry, known: ReadonlySet<string>, unsupported: Record<string, string>): string[] {
  const out: string[] = [];
  for (const key of Object.keys(entry.fields)) {
    if (known.has(key)) continue;
    const at = `${entry.file}: ${entry.where}.${key}`;
    if (unsupported[key]) out.push(`${at}: ${unsupported[key]}`);
    else if (SPELLING[key]) out.push(`${at}: not a kubeconfig field — did you mean "${SPELLING[key]}"? (requests would go out without it)`);
    else out.push(`${at}: unknown kubeconfig field, not read by llm-gitops — remove it, or use one of: ${[...known].join(', ')}`);
  }
  return out;
}

export function checkUserFields(entry: RawEntry): string[] {
  const out = check(entry, USER_FIELDS, USER_UNSUPPORTED);
  const exec = entry.fields.exec;
  if (exec !== undefined) {
    if (!exec || typeof exec !== 'object' || typeof (exec as { command?: unknown }).command !== 'string') {
      out.push(`${entry.file}: ${entry.where}.exec.command: missing — name the credential plugin to run`);
    } else out.push(...check({ ...entry, where: `${entry.where}.exec`, fields: exec as Record<string, unknown> }, EXEC_FIELDS, {}));
  }
  if (typeof entry.fields.tokenFile === 'string' && typeof entry.fields['token-file'] === 'string' && entry.fields.tokenFile !== entry.fields['token-file']) {
    out.push(`${entry.file}: ${entry.where}: both tokenFile and token-file, naming different files — keep tokenFile (kubectl's spelling)`);
  }
  return out;
}

export function checkClusterFields(entry: RawEntry): string[] {
  return check(entry, CLUSTER_FIELDS, {});
}
