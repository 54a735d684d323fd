/**
 * Credentials never reach output. Everything `health` and `preflight` print that came from the
 * kubeconfig or from a server (URLs, Status messages, 5xx bodies that echo request headers,
 * condition messages, exec plugin stderr) goes through one redactor: the literal secrets this
 * run holds (token, password, exec credential) wherever they appear, URL userinfo, and text that
 * looks like a credential (`Authorization: …`, `Bearer …`, `token=…`, well-known token formats).
 */

const MASK = '[redacted]';

/** `scheme://user:pass@host` → `scheme://[redacted]@host` (any scheme, anywhere in a text). */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@"'<>]+@/gi;
/** Header lines and JSON/YAML-ish fields whose value is a credential. */
const HEADERS = /\b(authorization|proxy-authorization|x-api-key|api-key|x-auth-token|cookie|set-cookie)(["']?\s*[:=]\s*["']?)[^"'\r\n,}]+/gi;
/** `Bearer abc`, `Basic abc` anywhere. */
const SCHEMES = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{4,}/gi;
/** `token=…`, `"password": "…"`, `client-key-data: …`, `?access_token=…`. */
const FIELDS = /\b([a-z_-]*(?:token|password|passwd|secret|client-key-data|client-certificate-data|apikey|api_key))(["']?\s*[:=]\s*["']?)[^\s"'&,;}]{3,}/gi;
/** Formats that are credentials whatever they are called. */
const FORMATS = [
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g,
  /\bhf_[A-Za-z0-9]{20,}/g,
  /\bsk-[A-Za-z0-9_-]{20,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /\b(?:sk|rk)_live_[A-Za-z0-9]{10,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];

export interface Redactor {
  /** One string with every known secret and credential-looking text masked. */
  (text: string): string;
  /** Remember another secret of this run (e.g. an exec plugin's token once it is known). */
  add(secret: string | undefined): void;
}

/** @param secrets literal values to mask wherever they appear (short ones are ignored: too common to mask safely). */
export function redactor(secrets: readonly (string | undefined)[] = []): Redactor {
  const known = new Set<string>();
  const add = (s: string | undefined) => {
    const v = s?.trim();
    if (v && v.length >= 6) {
      known.add(v);
      // Servers echo headers JSON-encoded and URLs percent-encoded.
      known.add(JSON.stringify(v).slice(1, -1));
      known.add(encodeURIComponent(v));
    }
  };
  secrets.forEach(add);
  const fn = ((text: string): string => {
    let out = text;
    for (const s of [...known].sort((a, b) => b.length - a.length)) out = out.split(s).join(MASK);
    out = out
      .replace(USERINFO, `$1${MASK}@`)
      .replace(HEADERS, `$1$2${MASK}`)
      .replace(SCHEMES, `$1 ${MASK}`)
      .replace(FIELDS, `$1$2${MASK}`);
    for (const f of FORMATS) out = out.replace(f, MASK);
    return out;
  }) as Redactor;
  fn.add = add;
  return fn;
}

/** A URL for display: userinfo and credential-looking query values masked. */
export function displayUrl(url: string): string {
  return redactor()(url);
}

/** Every string inside `value` (objects, arrays) through `redact`; other values unchanged. */
export function redactDeep<T>(value: T, redact: (s: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, redact)])) as T;
  }
  return value;
}
