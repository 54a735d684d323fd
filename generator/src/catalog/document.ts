/**
 * A catalog file parsed into a YAML document that remembers where every node came from, so that
 * any later problem can be reported as `file:line:col`. Anchors, aliases and merge keys are
 * refused here: a catalog is read by people in pull requests, and `*ref` hides what changed.
 * Most catalogs never build that document: catalog/quick-read.ts reads the plain subset of YAML
 * they are written in, with the same data and positions, and leaves everything else to it.
 */
import { isAlias, isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLError, type YAMLMap } from 'yaml';
import { indentationProblem } from './indentation.js';
import type { Issue } from '../errors.js';
import { quickRead } from './quick-read.js';
import { keepEnvText, scalarProblems, textProblems } from './scalars.js';
import { walk } from './walk.js';

export type PathKey = string | number;

export interface CatalogDocument {
  readonly file: string;
  readonly data: unknown;
  /** Issue at the node of `path` (or its closest existing parent). `onKey` points at a map key instead of its value. */
  at(path: readonly PathKey[], message: string, opts?: { onKey?: boolean; severity?: Issue['severity'] }): Issue;
}

const MAX_BYTES = 1 << 20;

export function fieldPath(path: readonly PathKey[]): string {
  return path.map((p) => String(p)).join('.');
}

export function parseCatalog(file: string, text: string): { doc?: CatalogDocument; issues: Issue[] } {
  const issues: Issue[] = [];
  if (text.length > MAX_BYTES) {
    return { issues: [{ file, message: `the file is ${text.length} bytes; a catalog may be at most ${MAX_BYTES} bytes — split the environment`, severity: 'error' }] };
  }
  // Most catalogs are in the plain subset js-yaml reads as `yaml` does, about 3x faster (catalog/quick-read.ts).
  const quick = quickRead(text); // undefined for any text textProblems would report
  if (quick) {
    return { doc: { file, data: quick.data, at: (path, message, opts = {}) => issueAt(file, quick.locate(path, opts.onKey === true), path, message, opts.severity) }, issues };
  }
  return parseWithYaml(file, text);
}

/** The catalog parsed by `yaml`: the authority on every catalog, and the only path for one outside quick-read's subset. */
export function parseWithYaml(file: string, text: string): { doc?: CatalogDocument; issues: Issue[] } {
  const issues: Issue[] = [];
  const lines = new LineCounter();
  // Duplicate keys are found below in one pass per map (the parser's own check compares each key
  // with every earlier one: quadratic in a catalog of thousands of models). logLevel 'error': the
  // parser prints nothing itself (a collection as a key made it print a Node warning to stderr);
  // what is wrong is reported as an Issue at its line.
  const yamlDoc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, schema: 'core', merge: false, strict: true, logLevel: 'error' });
  const pos = (offset: number) => lines.linePos(offset);

  if (yamlDoc.errors.length) {
    // One message for a syntax error: the parser's later ones follow from its first.
    issues.push(syntaxIssue(file, text, yamlDoc.errors, pos));
    for (const p of textProblems(text)) issues.push({ file, ...pos(p.offset), message: p.message, severity: 'error' });
    return { issues };
  }
  for (const err of yamlDoc.warnings) {
    const { line, col } = pos(err.pos[0]);
    const hint = err.code === 'DUPLICATE_KEY' ? ' — each key may appear once; merge the two entries' : '';
    issues.push({ file, line, col, message: `${firstLine(err.message)}${hint}`, severity: 'warning' });
  }
  const duplicates: Issue[] = [];
  // (A visitor with Map set is not called with Node for maps: both check anchors.)
  const anchorCheck = (node: Node) => {
    if (node.anchor) {
      // The node's range starts after its anchor; point at the `&name` itself.
      const start = node.range?.[0] ?? 0;
      const at = text.lastIndexOf(`&${node.anchor}`, start);
      const { line, col } = pos(at >= 0 ? at : start);
      issues.push({ file, line, col, message: `anchor &${node.anchor} is not allowed in a catalog — write each value out, or move shared settings to \`defaults\` or a \`profile\``, severity: 'error' });
    }
  };
  walk(yamlDoc, {
    Map(map) {
      anchorCheck(map);
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        if (!seen.has(pair.key.value)) seen.add(pair.key.value);
        else {
          const { line, col } = pos(pair.key.range?.[0] ?? 0);
          duplicates.push({ file, line, col, message: 'Map keys must be unique — each key may appear once; merge the two entries', severity: 'error' });
        }
      }
    },
    Alias(node) {
      const { line, col } = pos(node.range?.[0] ?? 0);
      issues.push({ file, line, col, message: `alias *${node.source} is not allowed in a catalog — write the value out (anchors and aliases hide what a pull request changes)`, severity: 'error' });
    },
    Node(node) {
      anchorCheck(node);
    },
    Pair(pair) {
      if (isScalar(pair.key) && pair.key.value === '<<') {
        const { line, col } = pos(pair.key.range?.[0] ?? 0);
        issues.push({ file, line, col, message: 'merge key << is not allowed in a catalog — use `defaults` or a `profile` for shared settings', severity: 'error' });
      }
    },
  });
  issues.splice(yamlDoc.warnings.length, 0, ...duplicates);
  for (const p of textProblems(text)) issues.push({ file, ...pos(p.offset), message: p.message, severity: 'error' });
  if (issues.some((i) => i.severity === 'error')) return { issues };
  keepEnvText(yamlDoc);
  for (const p of scalarProblems(yamlDoc)) issues.push({ file, ...pos(p.offset), ...(p.field ? { field: p.field } : {}), message: p.message, severity: 'error' });
  if (issues.some((i) => i.severity === 'error')) return { issues };

  const data = yamlDoc.toJS({ maxAliasCount: 0 }) as unknown;
  const doc: CatalogDocument = {
    file,
    data,
    at(path, message, opts = {}) {
      // A missing field is reported at its closest existing parent, but named in full.
      const { node, keyNode } = locate(yamlDoc, path);
      const target = opts.onKey && keyNode ? keyNode : node;
      const range = target?.range;
      return issueAt(file, range ? pos(range[0]) : undefined, path, message, opts.severity);
    },
  };
  return { doc, issues };
}

function issueAt(file: string, loc: { line: number; col: number } | undefined, path: readonly PathKey[], message: string, severity: Issue['severity'] = 'error'): Issue {
  return {
    file,
    ...(loc ? { line: loc.line, col: loc.col } : {}),
    ...(path.length ? { field: fieldPath(path) } : {}),
    message,
    severity,
  };
}

/** The parser's first error, or the indentation mistake behind it in words (catalog/indentation.ts). */
function syntaxIssue(file: string, text: string, errors: readonly YAMLError[], pos: (offset: number) => { line: number; col: number }): Issue {
  const first = [...errors].sort((a, b) => a.pos[0] - b.pos[0])[0] as YAMLError;
  const at = pos(first.pos[0]);
  const indent = indentationProblem(text, at.line);
  if (indent && indent.line <= at.line + 1) return { file, line: indent.line, col: indent.col, message: indent.message, severity: 'error' };
  // yaml composes nested collections recursively: nesting hundreds of levels deep runs it out of stack.
  const message = first.message.includes('Maximum call stack size exceeded')
    ? 'the YAML nests too deeply to be read (collections inside collections, hundreds of levels down) — a catalog needs a few levels; write it flatter'
    : firstLine(first.message);
  return { file, ...at, message, severity: 'error' };
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

/**
 * A map's pairs by the text of their scalar keys (the first pair of a key, as a scan would find
 * it), indexed once per map: every warning on a model looks its name up in \`models\`, so a scan
 * per lookup is quadratic in the models of a catalog.
 */
function pairsByKey(map: YAMLMap): ReadonlyMap<string, Pair> {
  let index = keyIndex.get(map);
  if (!index) {
    keyIndex.set(map, (index = new Map()));
    for (const p of map.items) if (isPair(p) && isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p);
  }
  return index;
}
const keyIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

/** Walks `path` down the document; returns the deepest node reached and, for maps, the key node. */
function locate(doc: Document, path: readonly PathKey[]): { node?: Node; keyNode?: Node } {
  let node: unknown = doc.contents;
  let keyNode: Node | undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = pairsByKey(node).get(String(key));
      if (!pair) break;
      keyNode = isNode(pair.key) ? pair.key : undefined;
      node = pair.value;
    } else if (node && typeof node === 'object' && 'items' in node && Array.isArray((node as { items: unknown[] }).items) && typeof key === 'number') {
      const item = (node as { items: unknown[] }).items[key];
      if (item === undefined) break;
      keyNode = undefined;
      node = item;
    } else break;
  }
  if (isAlias(node)) return keyNode ? { keyNode } : {};
  return { ...(isNode(node) ? { node } : {}), ...(keyNode ? { keyNode } : {}) };
}
