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
  let text = written.get(v);
  if (text === undefined) {
    if (written.size >= MAX_WRITTEN) written.clear();
    written.set(v, (text = isPlain(v) ? v : JSON.stringify(v)));
  }
  return text;
}

/** Strings already written (keys and names repeat in every file): isPlain's regexes run once per string. */
const written = new Map<string, string>();
const MAX_WRITTEN = 1 << 16;

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
type Map_ = { [k: string]: Value | undefined };

/** The keys of a map that are written (undefined values are left out), sorted as kustomize prints them. */
function keysOf(o: Map_): string[] {
  const keys = Object.keys(o).filter((k) => o[k] !== undefined);
  return keys.sort(); // distinct strings: the default order is UTF-16 code unit order, as `<` compares
}

const isMap = (v: Value): v is { [k: string]: Value } => v !== null && typeof v === 'object' && !Array.isArray(v);

/*
 * The writer appends to `out` (joined once at the end, rather than re-joining and re-slicing
 * every level's text). `writeNode(v, indent)` writes what follows "key:" or "- " at `indent`:
 * a nested collection starts on the next line (each of its lines begins "\n" + indent).
 */
function writeNode(v: Value, indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    if (!v.length) out.push(' []');
    else for (const item of v) {
      out.push(`\n${indent}-`);
      writeInline(item, `${indent}  `, out);
    }
    return;
  }
  if (isMap(v)) {
    const keys = keysOf(v);
    if (!keys.length) out.push(' {}');
    else for (const k of keys) {
      out.push(`\n${indent}${scalar(k)}:`);
      writeNested(v[k]!, indent, out);
    }
    return;
  }
  if (typeof v === 'string') {
    const block = literal(v, `${indent}  `);
    if (block) {
      out.push(` ${block}`);
      return;
    }
  }
  out.push(` ${scalar(v)}`);
}

/** A map value: nested maps indent by two, sequences stay at the key's column (kustomize style). */
function writeNested(v: Value, indent: string, out: string[]): void {
  writeNode(v, isMap(v) ? `${indent}  ` : indent, out);
}

/** A sequence item: a map or list starts on the dash's line (its first line without "\n" + indent). */
function writeInline(v: Value, indent: string, out: string[]): void {
  if (Array.isArray(v) && v.length) {
    v.forEach((item, i) => {
      out.push(i === 0 ? ' -' : `\n${indent}-`);
      writeInline(item, `${indent}  `, out);
    });
    return;
  }
  if (isMap(v)) {
    const keys = keysOf(v);
    if (keys.length) {
      keys.forEach((k, i) => {
        out.push(i === 0 ? ` ${scalar(k)}:` : `\n${indent}${scalar(k)}:`);
        writeNested(v[k]!, indent, out);
      });
      return;
    }
  }
  if (typeof v === 'string') {
    const block = literal(v, indent);
    if (block) {
      out.push(` ${block}`);
      return;
    }
  }
  writeNode(v, indent, out);
}

export function stringify(value: unknown): string {
  const v = value as Value;
  const out: string[] = [];
  writeNode(v, '', out);
  const text = out.join('');
  if (Array.isArray(v) || (v !== null && typeof v === 'object')) return `${text.startsWith('\n') ? text.slice(1) : text.trimStart()}\n`;
  return `${text.trimStart()}\n`;
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
