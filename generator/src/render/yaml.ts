/**
 * The one way the tool serialises YAML: block style, keys sorted (as kustomize prints them),
 * sequences not indented under their key, no anchors, no folding, and quoting that is safe under
 * both YAML 1.2 and YAML 1.1 — Kubernetes' decoders (sigs.k8s.io/yaml → go-yaml) read 1.1, where
 * a plain `on`, `y` or `0755` would become a boolean or an octal number.
 *
 * A small emitter rather than the `yaml` package's: our values are JSON (maps, lists, strings,
 * numbers, booleans, null), and the general emitter spent most of `generate`'s time resolving
 * every scalar against every tag. test/yaml.test.ts proves that what it writes reads back
 * identically with `yaml` in 1.2 and 1.1 mode.
 */
import { yamlHeader } from '../model/names.js';

/** Words YAML 1.1 (or 1.2) resolves to booleans or null when plain, in any common casing. */
const RESERVED = /^(?:y|n|yes|no|on|off|true|false|null|~|=|<<)$/i;
/** Characters a plain scalar may not start with. */
const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`\s]/;
/** What a plain scalar may contain at all (conservative: anything else is quoted). */
const PLAIN_CHARS = /^[A-Za-z0-9 _./:@=+,()$?&-]+$/;
/** Number-like text (ints, floats, sexagesimals, dates, .inf/.nan) under either YAML version. */
const NUMBERISH = /^[-+.]?[0-9]/;
const QUANTITY = /^[0-9]+(?:\.[0-9]+)?[A-DF-Za-df-z][A-Za-z]*$/;
/**
 * YAML 1.1 floats need no leading digit: `e01`, `E5`, `+e3`, `.e1`, `._` (the `yaml` package
 * reads them as NaN, i.e. not as the string) — so an environment named `e01` must be quoted.
 */
const FLOAT_11 = [/^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/, /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/];

function isPlain(s: string): boolean {
  if (s === '' || !PLAIN_CHARS.test(s) || INDICATOR.test(s) || RESERVED.test(s)) return false;
  if (s.endsWith(' ') || s.endsWith(':') || s.includes(': ') || s.includes(' #')) return false;
  if (/^\.(?:inf|nan)$/i.test(s) || FLOAT_11.some((re) => re.test(s))) return false;
  if (NUMBERISH.test(s) && !QUANTITY.test(s)) return false;
  return true;
}

function scalar(v: string | number | boolean | null): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot write ${v} to YAML`);
    return String(v);
  }
  return isPlain(v) ? v : JSON.stringify(v);
}

/** Multi-line text as a literal block when it can be one exactly; else null (quote it). */
function literal(s: string, indent: string): string | null {
  if (!s.includes('\n') || /[\x00-\x08\x0b-\x1f\x7f\u0085\u2028\u2029\ufeff]/.test(s)) return null;
  const body = s.replace(/\n+$/, '');
  const trailing = s.length - body.length;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const lines = (trailing > 1 ? s.slice(0, -1) : body).split('\n');
  if (lines.some((l) => l.trim() === '' && l !== '')) return null; // whitespace-only lines do not survive
  const hint = /^\s/.test(lines[0] ?? '') ? '2' : '';
  return `|${hint}${chomp}\n${lines.map((l) => (l === '' ? '' : indent + l)).join('\n')}`;
}

type Value = string | number | boolean | null | Value[] | { [k: string]: Value };

function entries(o: { [k: string]: Value | undefined }): [string, Value][] {
  return (Object.entries(o).filter(([, v]) => v !== undefined) as [string, Value][]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Lines for `v` placed after "key:" or "- " at `indent`. */
function node(v: Value, indent: string): string {
  if (Array.isArray(v)) {
    if (!v.length) return ' []';
    return `\n${v.map((item) => `${indent}-${inline(item, `${indent}  `)}`).join('\n')}`;
  }
  if (v !== null && typeof v === 'object') {
    const es = entries(v);
    if (!es.length) return ' {}';
    return `\n${es.map(([k, x]) => `${indent}${scalar(k)}:${nested(x, indent)}`).join('\n')}`;
  }
  if (typeof v === 'string') {
    const block = literal(v, `${indent}  `);
    if (block) return ` ${block}`;
  }
  return ` ${scalar(v)}`;
}

/** A map value: nested maps indent by two, sequences stay at the key's column (kustomize style). */
function nested(v: Value, indent: string): string {
  if (Array.isArray(v)) return node(v, indent);
  if (v !== null && typeof v === 'object') return node(v, `${indent}  `);
  return node(v, indent);
}

/** A sequence item: a map or list starts on the dash's line. */
function inline(v: Value, indent: string): string {
  if (Array.isArray(v) && v.length) return ` ${node(v, indent).slice(1 + indent.length)}`;
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && entries(v).length) return ` ${node(v, indent).slice(1 + indent.length)}`;
  if (typeof v === 'string') {
    const block = literal(v, indent);
    if (block) return ` ${block}`;
  }
  return node(v, indent);
}

export function stringify(value: unknown): string {
  const v = value as Value;
  if (Array.isArray(v) || (v !== null && typeof v === 'object')) {
    const text = node(v, '');
    return `${text.startsWith('\n') ? text.slice(1) : text.trimStart()}\n`;
  }
  return `${node(v, '').trimStart()}\n`;
}

/** A generated YAML file: header, then one or more documents. */
export function yamlFile(source: string, ...docs: unknown[]): string {
  return yamlHeader(source) + docs.map((d) => stringify(d)).join('---\n');
}

/**
 * A generated YAML file's text together with the documents it was written from, for an
 * `OutputFile` (`{ path, ...yamlDocs(source, obj) }`): `validate` checks those objects rather
 * than reading our own output back (test/validate-memory.test.ts proves they read back equal).
 */
export function yamlDocs(source: string, ...docs: unknown[]): { content: string; objects: readonly unknown[] } {
  return { content: yamlFile(source, ...docs), objects: docs };
}
