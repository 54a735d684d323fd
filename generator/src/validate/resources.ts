/**
 * A YAML file → the Kubernetes objects in it, as kubeconform reads them: one per document
 * (YAML 1.1, as Kubernetes' decoders read it; duplicate keys are an error, like `-strict`),
 * empty documents ignored, a `kind: List` split into its items. Keeps each object's YAML node,
 * so an error path can be turned into a line and column. Pure.
 *
 * `readObjects` is the same for a file the renderer wrote from objects it still holds: the
 * objects are used as they are, and the text is parsed only if a line and column are asked for
 * (an object failed), so a valid tree is never read back.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';

/** One object of a file, or the reason a document of it could not be read. */
export interface Resource {
  readonly file: string;
  /** 0-based position among the file's objects (documents, List items expanded). */
  readonly index: number;
  /** The decoded object; undefined when the document could not be read. */
  readonly object?: Record<string, unknown>;
  /** Why the document could not be read (YAML error, not a mapping). */
  readonly error?: string;
  /** 1-based line of the object's start. */
  readonly line?: number;
  /** Line and column of a JSON pointer inside this object (best effort). */
  readonly locate: (pointer: string) => { line: number; col: number } | undefined;
}

const noLocation = () => undefined;

/** Reads every object of one YAML file. */
export function readResources(file: string, text: string): Resource[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { version: '1.1', uniqueKeys: true, lineCounter, prettyErrors: false });
  const out: Resource[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const at = (node: Node | null | undefined) => (node?.range ? lineCounter.linePos(node.range[0]) : undefined);
    const start = at(doc.contents)?.line;
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      out.push({ file, index: out.length, error: `cannot read YAML: ${e.message.split('\n')[0]}`, line: e.linePos?.[0]?.line ?? start, locate: noLocation });
      continue;
    }
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (value === null || value === undefined) continue; // an empty document
    if (typeof value !== 'object' || Array.isArray(value)) {
      out.push({ file, index: out.length, error: 'not a Kubernetes object (the document is not a mapping)', line: start, locate: noLocation });
      continue;
    }
    const obj = value as Record<string, unknown>;
    if (obj.kind === 'List' && Array.isArray(obj.items)) {
      obj.items.forEach((item, i) => {
        const prefix = ['items', String(i)];
        const itemLine = at(doc.getIn(prefix, true) as Node | undefined)?.line ?? start;
        if (item && typeof item === 'object' && !Array.isArray(item)) {
          out.push({ file, index: out.length, object: item as Record<string, unknown>, line: itemLine, locate: locator(doc, lineCounter, prefix) });
        } else out.push({ file, index: out.length, error: `List item ${i} is not a Kubernetes object`, line: itemLine, locate: noLocation });
      });
      continue;
    }
    out.push({ file, index: out.length, object: obj, line: start, locate: locator(doc, lineCounter, []) });
  }
  return out;
}

/** JSON pointer → segments (RFC 6901 unescaping). */
export function pointerSegments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The deepest node on the pointer's path that exists; a missing key points at its parent. */
function locator(doc: Document, lc: LineCounter, prefix: readonly string[]) {
  return (pointer: string) => {
    let node: unknown = doc.getIn(prefix, true);
    let best: Node | undefined = node as Node | undefined;
    for (const seg of pointerSegments(pointer)) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === seg);
        if (!pair) break;
        best = (pair.key as Node) ?? best;
        node = pair.value;
      } else if (isSeq(node)) {
        const item = node.items[Number(seg)];
        if (item === undefined) break;
        best = item as Node;
        node = item;
      } else break;
    }
    return best?.range ? (({ line, col }) => ({ line, col }))(lc.linePos(best.range[0])) : undefined;
  };
}

/**
 * The objects of a file we rendered from `objects` (its documents, in order) into `text`: the
 * same resources `readResources(file, text)` gives — the emitter's output reads back equal —
 * without parsing. Line numbers come from the document separators; `locate` parses the text
 * on first use only. Undefined when the text does not split into that many documents, or a
 * document is a List (the caller then reads the text).
 */
export function readObjects(file: string, objects: readonly unknown[], text: string): Resource[] | undefined {
  const starts = documentLines(text);
  if (starts.length !== objects.length) return undefined;
  let parsed: Resource[] | undefined;
  const out: Resource[] = [];
  for (let i = 0; i < objects.length; i++) {
    const value = objects[i];
    if (value === null || value === undefined) continue;
    const line = starts[i]!;
    if (typeof value !== 'object' || Array.isArray(value)) {
      out.push({ file, index: out.length, error: 'not a Kubernetes object (the document is not a mapping)', line, locate: noLocation });
      continue;
    }
    const obj = value as Record<string, unknown>;
    if (obj.kind === 'List') return undefined;
    const index = out.length;
    const locate = (pointer: string) => (parsed ??= readResources(file, text))[index]?.locate(pointer);
    out.push({ file, index, object: obj, line, locate });
  }
  return out;
}

/**
 * The 1-based line where each document's content starts (after its comments), as the parser
 * reports it, for text our emitter wrote: documents are separated by `---` lines and never
 * start with a comment or blank line of their own.
 */
export function documentLines(text: string): number[] {
  const starts: number[] = [];
  // Text without `---` anywhere has no separator: its one document starts at the first such line (no need to read on).
  const single = !text.includes('---');
  let pending = true;
  for (let at = 0, line = 1; at < text.length; line++) {
    const end = text.indexOf('\n', at);
    const next = end < 0 ? text.length : end + 1;
    const c = text.charCodeAt(at);
    if (c === 45 /* - */ && next - at >= 3 && text.startsWith('---', at) && (next - at === 3 || (next - at === 4 && end >= 0))) pending = true;
    else if (pending && c !== 10 /* \n */ && c !== 35 /* # */) {
      starts.push(line);
      if (single) break;
      pending = false;
    }
    at = next;
  }
  return starts;
}
