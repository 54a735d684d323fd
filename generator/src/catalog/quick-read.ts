/**
 * The catalog parse's fast path. `yaml` (catalog/document.ts) is the authority: its errors, its
 * positions, its reading of every scalar. But building its document — a node per scalar, with
 * ranges — is most of a cold generate's parse: in a fresh process the parse of 10 catalogs of
 * 100 models takes 205-244 ms that way, 62-75 ms this way. So js-yaml reads first, and its
 * reading is kept only inside a subset where it is `yaml`'s; anything else returns undefined and the
 * caller parses with `yaml` as before:
 *
 *  - the text holds no tab, CR, control character (NUL included), line separator, BOM, U+FFFD or
 *    directive (OUTSIDE: catalog/scalars.ts textProblems finds nothing in such a text);
 *  - every plain scalar is typed by `yaml`'s own core-schema tags (CORE_TYPES), so `0o14`, `1e3`
 *    or `True` become what `yaml` makes of them;
 *  - js-yaml reads it without an error (a duplicate key is one), as one mapping;
 *  - no node has an anchor or a tag; none is an explicit `?` key, a double-quoted scalar with
 *    an escape, or a value followed by `#` without a space (js-yaml takes that as a comment,
 *    `yaml` refuses it);
 *  - the node events js-yaml reports account for every key and item (a flow pair without a
 *    value, or a single-pair map inside a flow sequence, has no event of its own: refused), each
 *    key is a single-line string scalar of at most 1,024 characters, no scalar spans lines (a
 *    block scalar always does), a flow collection continues only on lines indented past its
 *    bracket, no value is null or a non-finite number, no key is `<<` or a
 *    JavaScript internal (catalog/scalars.ts), and no env shorthand value is a number or
 *    boolean (`yaml`'s path keeps their source text: catalog/scalars.ts keepEnvText).
 *
 * The events also give each key and value its offset, so the issues of a catalog read here point
 * where `yaml`'s would: a key, or a value that is a scalar or a collection (its first key, `-`,
 * `{` or `[`). test/catalog-quick-read.test.ts checks both on the example and bench catalogs,
 * corner cases and thousands of mutations of them: whenever this path answers, the data and
 * every position equal `yaml`'s, and each guard above, removed, makes it fail.
 */
import jsyaml from 'js-yaml';
import { isScalar, LineCounter, Schema } from 'yaml';
import type { PathKey } from './document.js';
import { RESERVED_KEYS } from './scalars.js';

const OUTSIDE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffd]|^%/m;
const MAX_KEY = 1024;

const CORE_TYPES = new Schema({ schema: 'core', merge: false }).tags.flatMap((tag, i) => {
  const test = tag.test;
  if (!test || !tag.resolve || tag.default !== true) return [];
  const resolve = tag.resolve.bind(tag) as (s: string, onError: (m: string) => void, o: { intAsBigInt: boolean }) => unknown;
  // A distinct name per tag: js-yaml keeps one type per name, and `yaml` has three ints and three floats.
  return [
    new jsyaml.Type(`${tag.tag}#${i}`, {
      kind: 'scalar',
      resolve: (s: unknown) => typeof s === 'string' && test.test(s),
      construct: (s: string) => {
        const v = resolve(s, () => undefined, { intAsBigInt: false });
        return isScalar(v) ? v.value : v;
      },
    }),
  ];
});
const SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({ implicit: CORE_TYPES });
const CORE_TAGS = new Set(CORE_TYPES.map((t) => (t as unknown as { tag: string }).tag));

/** A node js-yaml composed: where its event opened, what it became, where it ended. */
interface Frame {
  readonly open: number;
  readonly kids: Frame[];
  kind?: string | null;
  result?: unknown;
  end?: number;
}

/** Offsets of a mapping's keys and values, and of a sequence's items. */
interface Place {
  readonly key?: number;
  readonly at: number;
  readonly value: unknown;
}

export interface QuickRead {
  readonly data: Record<string, unknown>;
  /** `line:col` of `path` (its key with `onKey`), or of its closest existing parent: where catalog/document.ts `at` puts it. */
  locate(path: readonly PathKey[], onKey: boolean): { line: number; col: number };
}

/** The catalog read by js-yaml, or undefined outside the subset where that is `yaml`'s reading (see above). */
export function quickRead(text: string): QuickRead | undefined {
  if (OUTSIDE.test(text)) return undefined;
  const stack: Frame[] = [];
  let root: Frame | undefined;
  let data: unknown;
  let propertied = false;
  try {
    data = jsyaml.load(text, {
      schema: SCHEMA,
      listener(event, s) {
        const state = s as typeof s & { tag: string | null; anchor: string | null };
        if (event === 'open') {
          stack.push({ open: state.position, kids: [] });
          return;
        }
        const f = stack.pop() as Frame;
        // js-yaml restores a node's own tag and anchor before its close event.
        if (state.anchor !== null || (state.tag !== null && state.tag !== '?' && !CORE_TAGS.has(state.tag))) propertied = true;
        f.kind = state.kind;
        f.result = state.result;
        f.end = state.position;
        const parent = stack[stack.length - 1];
        if (parent) parent.kids.push(f);
        else root = f;
      },
    });
  } catch {
    return undefined;
  }
  if (propertied || !root || root.result !== data || !isPlainMap(data)) return undefined;
  const places = new Map<object, Map<PathKey, Place>>();
  const start = (f: Frame) => contentStart(text, f.open);
  const check = (frame: Frame): boolean => {
    let f = frame;
    // A block map's reader first reads a candidate key; when no `:` follows, that node is the
    // value itself, reported inside the value's own event.
    while (f.kind !== 'scalar' && f.kids.length === 1 && f.kids[0]?.result === f.result) f = f.kids[0] as Frame;
    const v = f.result;
    const from = start(f);
    if (typeof f.end !== 'number') return false;
    if (f.kind === 'scalar') {
      if (commentGlued(text, f.end)) return false;
      if (v === null || (typeof v === 'number' && !Number.isFinite(v)) || spansLines(text, from, f.end)) return false;
      return !(text[from] === '"' && text.slice(from, f.end).includes('\\'));
    }
    if ((text[from] === '{' || text[from] === '[') && (commentGlued(text, f.end) || !indentedWithin(text, from, f.end))) return false;
    const own = new Map<PathKey, Place>();
    if (f.kind === 'mapping' && isPlainMap(v)) {
      if (f.kids.length !== 2 * Object.keys(v).length) return false;
      for (let i = 0; i < f.kids.length; i += 2) {
        const k = f.kids[i] as Frame;
        const val = f.kids[i + 1] as Frame;
        const key = k.result;
        if (k.kind !== 'scalar' || typeof key !== 'string' || key.length > MAX_KEY || key === '<<' || RESERVED_KEYS.has(key)) return false;
        if (!Object.hasOwn(v, key) || v[key] !== val.result || !check(k) || explicitKey(text, start(k))) return false;
        if (!check(val)) return false;
        own.set(key, { key: start(k), at: start(val), value: val.result });
      }
    } else if (f.kind === 'sequence' && Array.isArray(v)) {
      if (f.kids.length !== v.length) return false;
      for (let i = 0; i < v.length; i++) {
        const item = f.kids[i] as Frame;
        if (v[i] !== item.result || !check(item)) return false;
        own.set(i, { at: start(item), value: item.result });
      }
    } else return false;
    places.set(v as object, own);
    return true;
  };
  if (!check(root) || envHasNonText(data)) return undefined;
  const top: Place = { at: start(root), value: data };
  let lines: LineCounter | undefined;
  const pos = (offset: number) => {
    if (!lines) {
      lines = new LineCounter();
      lines.addNewLine(0);
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
    }
    return lines.linePos(offset);
  };
  return {
    data,
    locate(path, onKey) {
      let node = top;
      let key: number | undefined;
      for (const p of path) {
        const own = node.value !== null && typeof node.value === 'object' ? places.get(node.value) : undefined;
        const next = own && (Array.isArray(node.value) ? (typeof p === 'number' ? own.get(p) : undefined) : own.get(String(p)));
        if (!next) break;
        key = next.key;
        node = next;
      }
      return pos(onKey && key !== undefined ? key : node.at);
    },
  };
}

function isPlainMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The first offset at or after `i` that is not a space, a line break or inside a comment. */
function contentStart(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10) i++;
    else if (c === 35 /* # */) {
      const eol = text.indexOf('\n', i);
      if (eol < 0) return text.length;
      i = eol + 1;
    } else return i;
  }
}

/** A `#` right after the node ending at `end`: js-yaml takes `"b"#c` as "b" and a comment, yaml refuses it. */
function commentGlued(text: string, end: number): boolean {
  return text[end] === '#' && text[end - 1] !== ' ';
}

/** The key at `at` follows a `?` (an explicit key: only `yaml` reads those). */
function explicitKey(text: string, at: number): boolean {
  let i = at - 1;
  while (text[i] === ' ') i--;
  return text[i] === '?';
}

/**
 * Every line a flow collection continues on is indented past its opening bracket (blank lines
 * aside). `yaml` needs them past the enclosing block's indentation, which is less; js-yaml needs
 * neither, so a collection that keeps to this rule reads alike in both.
 */
function indentedWithin(text: string, from: number, to: number): boolean {
  const col = from - (text.lastIndexOf('\n', from - 1) + 1);
  for (let nl = text.indexOf('\n', from); nl >= 0 && nl < to; nl = text.indexOf('\n', nl + 1)) {
    let i = nl + 1;
    while (text[i] === ' ') i++;
    if (text[i] !== '\n' && i - nl - 1 <= col) return false;
  }
  return true;
}

function spansLines(text: string, from: number, to: number): boolean {
  const nl = text.indexOf('\n', from);
  return nl >= 0 && nl < to;
}

/** An env shorthand value written as a number or boolean (`yaml`'s path turns it back into its source text). */
function envHasNonText(data: Record<string, unknown>): boolean {
  const envOf = (v: unknown) => (isPlainMap(v) ? v.env : undefined);
  const models = data.models;
  const envs = [envOf(data.defaults), ...(isPlainMap(models) ? Object.values(models).map(envOf) : [])];
  return envs.some((env) => isPlainMap(env) && Object.values(env).some((x) => typeof x === 'number' || typeof x === 'boolean'));
}
