/**
 * Scalars read as the person wrote them, or refused when no faithful reading exists. Runs inside
 * the parse stage, on the YAML document (which still knows each scalar's source text).
 *
 * - Keys that are JavaScript object internals (`__proto__`, `constructor`, `prototype`) are refused:
 *   a plain-object map drops or misreads them.
 * - Text that is not valid UTF-8 (read as U+FFFD) or holds a NUL is refused: Kubernetes, git and
 *   C tools cut or mangle such strings.
 * - Numbers that are not finite (`1e400`, `.inf`, `.nan`) are refused: JSON and Kubernetes have none.
 * - The values of an `env:` shorthand map (`models.<m>.env`, `defaults.env`) written unquoted as
 *   numbers or booleans keep their source text: `0755` stays "0755", `0x1F` "0x1F", `1.0` "1.0",
 *   `True` "True". An environment variable is text; the container sees what the catalog shows.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type Scalar } from 'yaml';
import { walk } from './walk.js';

export const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface ScalarProblem {
  readonly offset: number;
  /** Dotted field path, when the problem is inside the document. */
  readonly field?: string;
  readonly message: string;
}

/** `models.m.resources.cpu` from the ancestors `walk` hands a visitor. */
function fieldOf(ancestors: readonly unknown[], node: unknown): string {
  const chain = [...ancestors, node];
  const parts: string[] = [];
  chain.forEach((n, i) => {
    if (isPair(n) && isScalar(n.key) && chain[i + 1] !== n.key) parts.push(String(n.key.value));
    else if (isSeq(n)) parts.push(String(n.items.indexOf(chain[i + 1] as never)));
  });
  // A key may hold the very control character being reported: never print it raw.
  return parts.join('.').replace(/[\u0000-\u001f\u007f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Problems of the raw text itself: invalid UTF-8 and NUL bytes, at their offsets. */
export function textProblems(text: string): ScalarProblem[] {
  const out: ScalarProblem[] = [];
  const bad = text.indexOf('\uFFFD');
  if (bad >= 0) out.push({ offset: bad, message: 'the file is not valid UTF-8 here (or holds U+FFFD, the replacement character) — save it as UTF-8' });
  const nul = text.indexOf('\u0000');
  if (nul >= 0) out.push({ offset: nul, message: 'a NUL character — remove it (Kubernetes, git and most tools cut strings there)' });
  return out;
}

/** Problems of individual scalars: reserved keys, NUL from escapes, non-finite numbers. */
export function scalarProblems(doc: Document): ScalarProblem[] {
  const out: ScalarProblem[] = [];
  walk(doc, {
    Pair(pair, path) {
      if (isScalar(pair.key) && RESERVED_KEYS.has(String(pair.key.value))) {
        out.push({
          offset: pair.key.range?.[0] ?? 0,
          field: fieldOf(path, pair),
          message: `key "${String(pair.key.value)}" is not allowed — it names JavaScript object internals and would be dropped or misread; rename it`,
        });
      }
    },
    Scalar(node, path) {
      const nul = typeof node.value === 'string' && node.value.includes('\u0000');
      const infinite = typeof node.value === 'number' && !Number.isFinite(node.value);
      if (!nul && !infinite) return; // the field's name is spelled out only for a scalar with a problem
      const at = node.range?.[0] ?? 0;
      const field = fieldOf(path, node);
      if (nul) {
        out.push({ offset: at, field, message: 'this string holds a NUL character (\\0) — remove it (Kubernetes, git and most tools cut strings there)' });
      }
      if (infinite) {
        const written = sourceOf(node) ?? String(node.value);
        out.push({
          offset: at,
          field,
          message: `${written} is not a finite number (JSON and Kubernetes have no infinity or NaN) — write a finite number, or a quantity as a string such as "4", "500m" or "16Gi"`,
        });
      }
    },
  });
  return out;
}

function sourceOf(node: Scalar): string | undefined {
  return (node as Scalar & { source?: string }).source;
}

/**
 * Turns every number or boolean of an env shorthand map (`defaults.env`, `models.<m>.env`) back
 * into its source text, in the document itself (before `toJS`, and before the finite check: an
 * env value `.inf` is the text ".inf").
 */
export function keepEnvText(doc: Document): void {
  const child = (map: unknown, key: string) => (isMap(map) ? map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key)?.value : undefined);
  const models = child(doc.contents, 'models');
  const envs = [child(child(doc.contents, 'defaults'), 'env'), ...(isMap(models) ? models.items.map((p) => child(p.value, 'env')) : [])];
  for (const env of envs) {
    if (!isMap(env)) continue;
    for (const p of env.items) {
      if (!isScalar(p.value)) continue;
      const text = sourceOf(p.value);
      if ((typeof p.value.value === 'number' || typeof p.value.value === 'boolean') && text !== undefined) p.value.value = text;
    }
  }
}
