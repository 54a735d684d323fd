/**
 * The credential scanner: one walk over any parsed document (every map key, every string, every
 * list of arguments, wherever it sits — so a key added to the catalog later is covered without a
 * change here) plus a text scan for what has no structure (comments, rendered files). Pure.
 *
 * Two kinds of evidence:
 * - a well-known token format (patterns.ts), anywhere: GitHub, GitLab, Hugging Face, OpenAI,
 *   Anthropic, Slack, Stripe, AWS key ids, JWTs, private-key blocks; a URL with user:password@;
 *   `password=…` in free text;
 * - a name that says "secret" beside a literal value: an env variable (catalog `NAME: value` or a
 *   Kubernetes `{name, value}`), a flag (`--api-key=X`, `--api-key X`), a map key (only when the
 *   value also looks machine-made), an AWS name beside 40 characters of base64.
 */
import {
  ASSIGNMENT,
  ASSIGNMENT_HINT,
  AWS_SECRET_VALUE,
  isAwsName,
  isReference,
  isSecretFlag,
  isSecretName,
  looksRandom,
  nameParts,
  redact,
  TOKEN_FORMATS,
  TOKEN_HINT,
  URL_HINT,
  URL_USERINFO,
} from './patterns.js';

export type PathKey = string | number;

/** A credential found in text: where it starts, what it is, how to show it. */
export interface TextHit {
  readonly offset: number;
  readonly what: string;
  /** The credential itself: used to match and to scrub other messages, never printed. */
  readonly secret: string;
  /** Redacted form for messages. */
  readonly shown: string;
  readonly kind: 'token' | 'url' | 'assignment';
}

/** A credential found in a document. */
export interface Finding {
  readonly path: readonly PathKey[];
  /** The credential is the map key at `path`, not its value. */
  readonly onKey?: boolean;
  readonly secret: string;
  /** Full message: what, redacted, and the fix. */
  readonly message: string;
}

const REVOKE = 'and revoke it if it was ever committed or pushed';
export const FIX_SECRET = `store it in a Secret and reference it (env NAME: {secretKeyRef: {name, key}}, valueFrom.secretKeyRef in a spec, or hfTokenSecret for the Hugging Face token), ${REVOKE}`;
const FIX_URL = `remove the credentials from the URL: give Argo CD a repository Secret (Flux: GitRepository secretRef) or use a git credential helper, ${REVOKE}`;
const fixEnvMap = (name: string) =>
  `use ${name}: {secretKeyRef: {name: <secret>, key: <key>}}${/HF|HUGGING/i.test(name) ? ', or hfTokenSecret: <secret>' : ''}, ${REVOKE}`;
const FIX_ENV_LIST = `use valueFrom: {secretKeyRef: {name: <secret>, key: <key>}} instead of value, ${REVOKE}`;
const fixFlag = (flag: string) =>
  `put it in a Secret, expose it as an env variable (env: {API_KEY: {secretKeyRef: {name, key}}}) and pass ${flag} $(API_KEY) — Kubernetes expands $(VAR) in args; ${REVOKE}`;

/** Every credential in `text` by format (tokens, URL userinfo, `password=`). */
/** Cheap first look: text with none of these cannot hold a credential of any format above. */
const MAYBE = /gh[pousr]_|github_pat_|gl[a-z]+-|hf_|sk-|xox|_live_|_test_|A(?:KIA|SIA|BIA|CCA|IDA|ROA)|AIza|npm_|eyJ|PRIVATE KEY|hooks\.slack|:\/\/[^/\s]*@|=/;
/** Then each search only where its hint occurs (a rendered file passes MAYBE by its first `=`). */
const has = (text: string, hint: string | RegExp) => (typeof hint === 'string' ? text.includes(hint) : hint.test(text));

export function findInText(text: string): TextHit[] {
  if (!MAYBE.test(text)) return [];
  const hits: TextHit[] = [];
  for (const f of TOKEN_HINT.test(text) ? TOKEN_FORMATS : []) {
    if (!has(text, f.hint)) continue;
    for (const m of text.matchAll(f.re)) {
      const secret = m[0];
      if (f.random && !looksRandom(secret.slice(f.shown), 12)) continue;
      hits.push({ offset: m.index, what: f.label, secret, shown: f.shown === 0 ? `${secret.slice(0, secret.indexOf('-----', 5) + 5)}…` : redact(secret, f.shown), kind: 'token' });
    }
  }
  for (const m of has(text, URL_HINT) ? text.matchAll(URL_USERINFO) : []) {
    const [, scheme, userinfo = '', host] = m;
    const colon = userinfo.indexOf(':');
    const password = colon >= 0 ? userinfo.slice(colon + 1) : '';
    const user = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    const tokenUser = looksRandom(user, 16) || findTokens(user).length > 0;
    if ((password && !isReference(password)) || tokenUser) {
      hits.push({ offset: m.index, what: password ? 'a URL with a password' : 'a URL with a token as its user', secret: userinfo, shown: `${scheme}://…@${host}`, kind: 'url' });
    }
  }
  for (const m of has(text, ASSIGNMENT_HINT) ? text.matchAll(ASSIGNMENT) : []) {
    const [, name = '', raw = ''] = m;
    const value = raw.replace(/^['"]|['"]$/g, '');
    const strong = /^(password|passwd|pwd)$/i.test(name);
    if (isReference(value) || (!strong && value.length < 8)) continue;
    if (hits.some((h) => h.secret.includes(value))) continue; // already a known format
    hits.push({ offset: m.index, what: `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name.toLowerCase()}= assignment`, secret: value, shown: `${name}=${redact(value)}`, kind: 'assignment' });
  }
  return hits.sort((a, b) => a.offset - b.offset);
}

function findTokens(text: string): TextHit[] {
  return findInText(text).filter((h) => h.kind === 'token');
}

/** `--api-key=X`, `--api-key X` in a sequence of arguments: index of the value and the flag. */
export function secretFlags(args: readonly string[]): { index: number; flag: string; value: string }[] {
  const out: { index: number; flag: string; value: string }[] = [];
  args.forEach((arg, i) => {
    const eq = /^(--?[A-Za-z][\w.-]*)=(.*)$/s.exec(arg);
    if (eq) {
      const value = unquote(eq[2]!);
      if (isSecretFlag(eq[1]!) && !isReference(value)) out.push({ index: i, flag: eq[1]!, value });
      return;
    }
    const next = args[i + 1];
    if (/^--?[A-Za-z][\w.-]*$/.test(arg) && isSecretFlag(arg) && next !== undefined && !next.startsWith('-') && !isReference(unquote(next))) {
      out.push({ index: i + 1, flag: arg, value: unquote(next) });
    }
  });
  return out;
}

function unquote(s: string): string {
  return s.replace(/^(['"])(.*)\1$/s, '$2');
}

/** Cheap first looks (most names and strings have nothing to do with credentials). */
const NAME_HINT = /token|secret|passw|pwd|key|credential|passphrase|aws/i;
const FLAG_HINT = /(^|\s)--?[\w.-]*(token|secret|passw|pwd|key|credential|passphrase)/i;

const same = (a: readonly PathKey[], b: readonly PathKey[]) => a.length === b.length && a.every((k, i) => String(k) === String(b[i]));
const isDnsName = (s: string) => /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(s) && s.length <= 253;
const STRONG_NAME = new Set(['password', 'passwd', 'pwd', 'passphrase']);

/** Every credential in a parsed document (maps, lists, strings). */
export function scanValue(root: unknown): Finding[] {
  const out: Finding[] = [];
  const has = (path: readonly PathKey[]) => out.some((f) => same(f.path, path) && !f.onKey);
  const add = (path: readonly PathKey[], secret: string, message: string, onKey = false) => {
    if (!out.some((f) => same(f.path, path) && f.onKey === onKey && f.secret === secret)) out.push({ path, secret, message, ...(onKey ? { onKey } : {}) });
  };
  const tokensIn = (s: string, path: readonly PathKey[], onKey = false) => {
    for (const h of findInText(s)) add(path, h.secret, `this looks like a credential: ${h.what} (${h.shown}) — ${h.kind === 'url' ? FIX_URL : FIX_SECRET}`, onKey);
  };
  /** A literal value beside a name that says secret. */
  const named = (name: string, value: unknown, path: readonly PathKey[], how: 'env-map' | 'env-list' | 'key') => {
    if (!NAME_HINT.test(name) || typeof value === 'object' || value === undefined || has(path)) return;
    const text = String(value);
    if (isReference(text)) return;
    if (isAwsName(name) && AWS_SECRET_VALUE.test(text) && looksRandom(text)) {
      add(path, text, `${name} holds an AWS secret access key (${redact(text, 0)}) — ${how === 'env-map' ? fixEnvMap(name) : how === 'env-list' ? FIX_ENV_LIST : FIX_SECRET}`);
      return;
    }
    if (!isSecretName(name)) return;
    if (how === 'key') {
      const last = nameParts(name).pop()!;
      if (name === 'key' || typeof value !== 'string') return;
      if (!STRONG_NAME.has(last) && (!looksRandom(text, 12) || ((last === 'secret' || last === 'ref') && isDnsName(text)))) return;
      add(path, text, `${name} holds a literal credential (${redact(text)}) — ${FIX_SECRET}`);
      return;
    }
    add(path, text, `${name} holds a literal value (${redact(text)}) — credentials never go in the catalog: ${how === 'env-map' ? fixEnvMap(name) : FIX_ENV_LIST}`);
  };
  const flags = (args: readonly string[], at: (index: number) => readonly PathKey[]) => {
    for (const f of secretFlags(args)) add(at(f.index), f.value, `${f.flag} is given a literal credential (${redact(f.value)}) — ${fixFlag(f.flag)}`);
  };

  const walk = (v: unknown, path: readonly PathKey[], parentKey: PathKey | undefined): void => {
    if (typeof v === 'string') {
      tokensIn(v, path);
      if (FLAG_HINT.test(v)) flags(v.split(/\s+/).filter(Boolean), () => path);
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, [...path, i], undefined));
      if (v.every((x) => typeof x === 'string') && v.some((x) => FLAG_HINT.test(x as string))) flags(v as string[], (i) => [...path, i]);
    } else if (v && typeof v === 'object') {
      const obj = v as Record<string, unknown>;
      for (const [k, x] of Object.entries(obj)) {
        tokensIn(k, [...path, k], true);
        walk(x, [...path, k], k);
      }
      // Kubernetes EnvVar {name, value}
      if (typeof obj.name === 'string' && 'value' in obj) named(obj.name, obj.value, [...path, 'value'], 'env-list');
      for (const [k, x] of Object.entries(obj)) {
        if (parentKey === 'env') named(k, x, [...path, k], 'env-map');
        else if (k !== 'value') named(k, x, [...path, k], 'key');
      }
    }
  };
  walk(root, [], undefined);
  return out;
}
