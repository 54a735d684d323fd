/**
 * Catalog text → Environment, in named stages: parse (YAML, positions) → schema (shape) →
 * rules (cross-field) → normalize (defaults). Pure: the caller reads the file.
 */

import { failed, ok, type Issue, type Result } from '../errors.js';
import type { Environment } from '../model/types.js';
import { parseCatalog, type CatalogDocument, type PathKey } from './document.js';
import { normalize } from './normalize.js';
import { runRules } from './rules.js';
import { expandTemplates } from './templates.js';
import { builtinLibrary, type Library } from '../library/load.js';
import { expandLibrary } from '../library/resolve.js';
import { fitRules } from '../library/rules.js';
import { catalogSchema, type CatalogFile } from './schema.js';
import { scanCatalog, scrubIssues } from '../credentials/catalog.js';

export function loadCatalog(envName: string, file: string, text: string, library: Library = builtinLibrary()): Result<Environment> {
  const { doc, issues: parseIssues } = parseCatalog(file, text);
  if (!doc) {
    const raw = scanCatalog(file, text);
    return failed(scrubIssues([...raw.issues, ...parseIssues], raw.secrets));
  }
  if (doc.data === null || typeof doc.data !== 'object' || Array.isArray(doc.data)) {
    return failed([{ file, line: 1, col: 1, message: 'a catalog is a YAML map with at least `namespace:` and `models:` — see environments/dev/catalog.yaml for an example', severity: 'error' }]);
  }
  // Credentials first and whatever else is wrong: a token must never reach the tree, and no
  // other message of the run may repeat it.
  const credentials = scanCatalog(file, text, doc);
  const done = (issues: Issue[]) => failed<Environment>(scrubIssues([...credentials.issues, ...issues], credentials.secrets));
  const parsed = catalogSchema.safeParse(doc.data, { reportInput: true });
  if (!parsed.success) return done(parsed.error.issues.flatMap((i) => schemaIssue(doc, i as ZodIssue)));
  const templated = expandTemplates(parsed.data, doc);
  if (templated.issues.length) return done(templated.issues);
  const expanded = expandLibrary(templated.catalog, doc, library);
  if (expanded.issues.length) return done(expanded.issues);
  // Normalized once: the rules that judge what generate delivers see this Environment, and so
  // does the renderer (requirementsOf, memoised per Environment, is then computed once).
  const env = normalizedOrUndefined(envName, file, expanded.catalog);
  const ruleIssues = [...runRules(expanded.catalog, doc, env), ...fitRules(expanded.catalog, doc, expanded.sizes)];
  const errors = ruleIssues.filter((i) => i.severity === 'error');
  const warnings = ruleIssues.filter((i) => i.severity === 'warning');
  if (errors.length || credentials.issues.length) return done([...errors, ...warnings]);
  return ok(env ?? normalize(envName, file, expanded.catalog), warnings);
}

/** The Environment, or undefined when a catalog the rules will reject does not normalize. */
function normalizedOrUndefined(envName: string, file: string, c: CatalogFile): Environment | undefined {
  try {
    return normalize(envName, file, c);
  } catch {
    return undefined;
  }
}

interface ZodIssue {
  code: string;
  path: PathKey[];
  message: string;
  keys?: string[];
  expected?: string;
  input?: unknown;
  values?: unknown[];
  errors?: ZodIssue[][];
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return `the string "${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return `${typeof v} ${String(v)}`;
}

function schemaIssue(doc: CatalogDocument, issue: ZodIssue): Issue[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  switch (issue.code) {
    case 'unrecognized_keys':
      return (issue.keys ?? []).map((key) => {
        const allowed = allowedKeys(path);
        const near = closest(key, allowed);
        const hint = near ? `did you mean "${near}"?` : allowed.length ? `allowed here: ${allowed.join(', ')}` : 'remove it';
        return doc.at([...path, key], `unknown key "${key}" — ${hint}`, { onKey: true });
      });
    case 'invalid_type':
      if (issue.input === undefined) return [doc.at(path, `is required — add ${String(path[path.length - 1])}:`)];
      // `models:` with nothing under it is null in YAML, not an empty map.
      if (issue.input === null && (issue.expected === 'record' || issue.expected === 'object')) {
        const key = String(path[path.length - 1]);
        return [doc.at(path, `is empty (null) — write \`${key}: {}\` for none yet, or put its entries under it, indented`)];
      }
      return [doc.at(path, `expected ${issue.expected}, got ${describe(issue.input)}${issue.expected === 'string' && typeof issue.input !== 'object' ? ' — quote the value' : ''}`)];
    case 'invalid_value':
      return [doc.at(path, `must be one of ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(', ')}`)];
    case 'invalid_union': {
      // Report the branch that got furthest (most specific message), else a generic hint.
      // A branch that does not know the keys written here is the wrong branch, however far it got
      // (else `cpu: true` under {cpu, memory} | {requests, limits} reads 'unknown key "cpu"').
      const all = (issue.errors ?? []).filter((b) => b.length > 0);
      const fitting = all.filter((b) => !b.some((i) => i.code === 'unrecognized_keys' && i.path.length === 0));
      const branches = fitting.length ? fitting : all;
      const best = branches.sort((a, b) => depth(b) - depth(a))[0];
      if (best && (depth(best) > 0 || (fitting.length === 1 && fitting.length < all.length))) return best.flatMap((i) => schemaIssue(doc, { ...i, path: [...path, ...i.path] }));
      return [doc.at(path, `has the wrong shape (${describe(valueAt(doc.data, path))}) — see the field's description in generator/schema/catalog.schema.json`)];
    }
    case 'invalid_key': {
      // The key's own rule (e.g. an env name's regex message) says more than "invalid key in record".
      const inner = (issue as { issues?: readonly ZodIssue[] }).issues?.[0]?.message;
      return [doc.at(path, inner ?? `key ${issue.message.toLowerCase()}`, { onKey: true })];
    }
    case 'too_small':
      return [doc.at(path, issue.origin === 'string' ? 'must not be empty' : `must be at least ${String(issue.minimum)}`)];
    case 'too_big':
      return [doc.at(path, issue.origin === 'string' ? `must be at most ${String(issue.maximum)} characters` : `must be at most ${String(issue.maximum)}`)];
    default:
      return [doc.at(path, issue.message)];
  }
}

function depth(branch: ZodIssue[]): number {
  return Math.max(...branch.map((i) => (i.code === 'invalid_type' && typeof i.input !== 'object' ? 0 : i.path.length + 1)));
}

function valueAt(data: unknown, path: readonly PathKey[]): unknown {
  return path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[String(k)] : undefined), data);
}

type Def = { type: string; shape?: Record<string, { _zod: { def: Def } }>; innerType?: { _zod: { def: Def } }; valueType?: { _zod: { def: Def } }; options?: { _zod: { def: Def } }[]; element?: { _zod: { def: Def } } };

/** The keys the schema allows at `path`, for "did you mean" hints. */
export function allowedKeys(path: readonly PathKey[]): string[] {
  let defs: Def[] = [(catalogSchema as unknown as { _zod: { def: Def } })._zod.def];
  const unwrap = (d: Def): Def[] => {
    if (d.type === 'optional' || d.type === 'default' || d.type === 'nullable') return unwrap(d.innerType!._zod.def);
    if (d.type === 'union') return (d.options ?? []).flatMap((o) => unwrap(o._zod.def));
    return [d];
  };
  for (const key of path) {
    defs = defs.flatMap(unwrap).flatMap((d) => {
      if (d.type === 'object' && d.shape?.[String(key)]) return [d.shape[String(key)]!._zod.def];
      if (d.type === 'record' && d.valueType) return [d.valueType._zod.def];
      if (d.type === 'array' && d.element && typeof key === 'number') return [d.element._zod.def];
      return [];
    });
  }
  return [...new Set(defs.flatMap(unwrap).flatMap((d) => (d.type === 'object' && d.shape ? Object.keys(d.shape) : [])))];
}

/** The candidate nearest `word` (case-insensitive edit distance), if near enough to be a misspelling. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    if (c === word) continue; // known in another shape of this field: no help to suggest it
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestDist) [best, bestDist] = [c, d];
  }
  return bestDist <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

