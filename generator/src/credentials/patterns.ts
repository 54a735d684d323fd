/**
 * What a credential looks like: well-known token formats (found anywhere in text), names that say
 * "secret" (an env variable, a map key, a command-line flag), and how to show one without
 * revealing it. Pure data and small predicates; `scan.ts` applies them.
 */

export interface TokenFormat {
  /** What people call it, for the message ("a GitHub token"). */
  readonly label: string;
  /** Global regex; the whole match is the secret. */
  readonly re: RegExp;
  /** Characters of the match that may be shown (the public prefix). */
  readonly shown: number;
  /** Extra test for formats whose prefix alone is weak (a word such as "sk-learn-…" is no key). */
  readonly random?: boolean;
  /**
   * Text every match of `re` contains (its literal prefix, without the look-behind): a text
   * without it is not searched with `re` at all. A look-behind at the start keeps V8 from
   * skipping ahead to the prefix, so each `re` alone costs a step per character of a file.
   */
  readonly hint: string | RegExp;
}

/**
 * Formats with a distinctive prefix or structure. Each is anchored on a non-word boundary so it
 * does not fire inside a longer identifier.
 */
export const TOKEN_FORMATS: readonly TokenFormat[] = [
  { label: 'a GitHub fine-grained token', re: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,}/g, shown: 11, hint: 'github_pat_' },
  { label: 'a GitHub token', re: /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{30,}/g, shown: 4, hint: /gh[pousr]_/ },
  { label: 'a GitLab token', re: /(?<![A-Za-z0-9_])gl(?:pat|dt|rt|ptt|ft|cbt|imt|agent)-[A-Za-z0-9_-]{20,}/g, shown: 6, hint: /gl(?:pat|dt|rt|ptt|ft|cbt|imt|agent)-/ },
  { label: 'a Hugging Face token', re: /(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,}/g, shown: 3, random: true, hint: 'hf_' },
  { label: 'an Anthropic API key', re: /(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{20,}/g, shown: 7, hint: 'sk-ant-' },
  { label: 'an OpenAI project key', re: /(?<![A-Za-z0-9_-])sk-proj-[A-Za-z0-9_-]{20,}/g, shown: 8, hint: 'sk-proj-' },
  // At least 20 letters and digits in one run: "sk-learn-classifier-2024-v2" is a name, not a key.
  { label: 'an OpenAI-style API key', re: /(?<![A-Za-z0-9_-])sk-(?!ant-|proj-)(?:[a-z]+-)?[A-Za-z0-9]{20,}[A-Za-z0-9_-]*/g, shown: 3, random: true, hint: 'sk-' },
  { label: 'a Slack token', re: /(?<![A-Za-z0-9_-])xox[abposr]-[A-Za-z0-9-]{10,}/g, shown: 5, hint: /xox[abposr]-/ },
  { label: 'a Slack webhook URL', re: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]{20,}/g, shown: 31, hint: 'https://hooks.slack.com/services/' },
  { label: 'a Stripe secret key', re: /(?<![A-Za-z0-9_])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g, shown: 8, hint: /[sr]k_(?:live|test)_/ },
  { label: 'an AWS access key id', re: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA)[0-9A-Z]{16}(?![A-Za-z0-9])/g, shown: 4, hint: /AKIA|ASIA|ABIA|ACCA|AIDA|AROA/ },
  { label: 'a Google API key', re: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}/g, shown: 4, hint: 'AIza' },
  { label: 'an npm token', re: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}/g, shown: 4, hint: 'npm_' },
  { label: 'a JSON Web Token', re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, shown: 3, hint: 'eyJ' },
  // The header, then key material (a placeholder such as "<private-key>" in documentation is not one).
  { label: 'a private key', re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:\s|\\n)+(?:[A-Za-z-]+: [^\n]*(?:\s|\\n)+)*[A-Za-z0-9+/=]{20,}/g, shown: 0, hint: 'PRIVATE KEY' },
];

/** Some format's hint: one search instead of one per format (most texts hold none). */
export const TOKEN_HINT = new RegExp(TOKEN_FORMATS.map((f) => (typeof f.hint === 'string' ? f.hint.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') : f.hint.source)).join('|'));

/** `password=…` in free text (an annotation, a connection string, a comment). */
export const ASSIGNMENT = /(?<![A-Za-z0-9])(password|passwd|pwd|secret|client_secret|api[_-]?key|access[_-]?key|auth[_-]?token|token)\s*=\s*([^\s&;,'"`)\]}]+)/gi;
/** In every match of ASSIGNMENT (each of its names ends in one of these). */
export const ASSIGNMENT_HINT = /(?:password|passwd|pwd|secret|key|token)\s*=/i;

/** `scheme://user:password@host` or `scheme://<token>@host`. */
export const URL_USERINFO = /\b([a-z][a-z0-9+.-]*):\/\/([^/\s@?#"'`]+)@([^/\s?#"'`:]+)/gi;
/** In every match of URL_USERINFO. */
export const URL_HINT = /:\/\/[^/\s@?#"'`]+@/;

/** An AWS secret access key is 40 characters of base64 with no prefix: only findable beside a name. */
export const AWS_SECRET_VALUE = /^[A-Za-z0-9/+]{40}$/;

/** The parts of a name: FOO_BAR, foo-bar, fooBar, foo.bar → foo, bar. */
export function nameParts(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p.toLowerCase());
}

const SECRET_PARTS = new Set(['token', 'secret', 'password', 'passwd', 'pwd', 'key', 'apikey', 'credential', 'credentials', 'privatekey', 'passphrase']);
/** A last part saying the value is about the secret, not the secret (HF_TOKEN_PATH, SSL_KEY_FILE). */
const SAFE_LAST = new Set(['file', 'path', 'dir', 'name', 'names', 'ref', 'url', 'uri', 'host', 'port', 'size', 'len', 'length', 'type', 'mode', 'limit', 'limits', 'count', 'id', 'prefix', 'suffix', 'header', 'env', 'field', 'enabled', 'disabled', 'format', 'location', 'mount']);

/**
 * Does this name say its value is a credential? `HF_TOKEN`, `OPENAI_KEY`, `HF_TOKEN_VALUE`,
 * `DB_PASSWORD`, `apiKey`; not `TOKENIZERS_PARALLELISM`, `HF_TOKEN_PATH`, `hfTokenSecret` (which names
 * a Secret), `MAX_TOKENS`.
 */
export function isSecretName(name: string): boolean {
  const parts = nameParts(name);
  if (!parts.some((p) => SECRET_PARTS.has(p))) return false;
  const last = parts[parts.length - 1]!;
  return !SAFE_LAST.has(last) || isAwsName(name);
}

/** A name about AWS credentials (AWS_SECRET_ACCESS_KEY, aws_access_key_id, AWS_SECRET_ID). */
export function isAwsName(name: string): boolean {
  const parts = nameParts(name);
  return parts.includes('aws') && parts.some((p) => ['key', 'secret', 'access', 'token', 'credentials', 'id'].includes(p));
}

/** A command-line flag that takes a credential: --api-key, --token, --hf-token, --password. */
export function isSecretFlag(flag: string): boolean {
  return isSecretName(flag.replace(/^-+/, ''));
}

/** Values that are not the secret itself: a reference to one, a placeholder, a switch. */
export function isReference(value: string): boolean {
  const v = value.trim();
  return (
    v === '' ||
    /^\$\(?[A-Za-z_][A-Za-z0-9_]*\)?$/.test(v) || // $(VAR) Kubernetes, $VAR shell
    /^\$\{[^}]+\}$/.test(v) || // ${VAR}
    /^\{\{.*\}\}$/.test(v) || // {{ template }}
    /^<[^>]*>$/.test(v) || // <your-token>
    /^\*+$/.test(v) || // ***
    /^(true|false|yes|no|on|off|none|null|enabled?|disabled?|\d+)$/i.test(v) ||
    /^(\/|\.\.?\/|file:)/.test(v) // a path to a mounted file
  );
}

function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

/**
 * Does the value look machine-made rather than a word or a name? Only ever asked where a name
 * already says "secret", or of a weak token prefix (`hf_`, `sk-`).
 */
export function looksRandom(s: string, min = 16): boolean {
  if (s.length < min || /\s/.test(s)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((re) => re.test(s)).length;
  return classes >= 2 && entropy(s) >= 3.3;
}

/**
 * How a secret is shown: its public prefix (if any), then its length — never the secret.
 * `ghp_…(40 characters)`.
 */
export function redact(secret: string, shown = 0): string {
  const keep = Math.min(shown, Math.floor(secret.length / 3));
  return `${secret.slice(0, keep)}…(${secret.length} characters)`;
}
