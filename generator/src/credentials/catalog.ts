/**
 * The scanner applied where credentials enter: a catalog (its parsed values, wherever they sit,
 * and its raw text, whose comments are committed too), and the rendered files just before they
 * are written (a backstop: anything the catalog scan missed is still refused, reported at the
 * catalog line that holds it when it can be found there).
 */
import type { Issue } from '../errors.js';
import type { CatalogDocument } from '../catalog/document.js';
import { findInText, FIX_SECRET, scanValue, type TextHit } from './scan.js';
import { redact } from './patterns.js';

export interface CatalogScan {
  readonly issues: Issue[];
  /** The credentials found, so that no other message of the run repeats them. */
  readonly secrets: string[];
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}

/** Is `offset` after a `#` that starts a YAML comment on its line (outside quotes, roughly)? */
function inComment(text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /(^|\s)#/.test(text.slice(lineStart, offset));
}

const squeeze = (s: string) => s.replace(/\s+/g, '');
/** Same credential, as decoded value and as raw text (a block scalar's indentation differs). */
const overlaps = (a: string, b: string) => squeeze(a).includes(squeeze(b)) || squeeze(b).includes(squeeze(a));

/** Every credential in one catalog: its values (with field paths, when it parsed) and its text (comments). */
export function scanCatalog(file: string, text: string, doc?: CatalogDocument): CatalogScan {
  const findings = doc ? scanValue(doc.data) : [];
  const issues = doc ? findings.map((f) => doc.at(f.path, f.message, f.onKey ? { onKey: true } : {})) : [];
  const secrets = findings.map((f) => f.secret);
  for (const hit of findInText(text)) {
    if (secrets.some((s) => overlaps(s, hit.secret))) continue; // reported at its field
    const { line, col } = lineCol(text, hit.offset);
    const where = inComment(text, hit.offset) ? 'this comment holds' : 'this line holds';
    issues.push({ file, line, col, message: `${where} ${hit.what} (${hit.shown}) — the catalog is committed, comments included: delete it, and revoke it if it was ever committed or pushed`, severity: 'error' });
    secrets.push(hit.secret);
  }
  return { issues, secrets };
}

/** Longer than any public prefix (github_pat_ is 11): a part this long gives the secret away. */
const TELLING = 12;

/**
 * Replaces any credential (or a 12+ character prefix of one, as a truncated "got the string …"
 * would show) in other messages of the run by its redacted form.
 */
export function scrubIssues(issues: readonly Issue[], secrets: readonly string[]): Issue[] {
  const parts: [string, string][] = [];
  for (const s of secrets.filter((x) => x.length >= 6)) {
    parts.push([s, redact(s)]);
    for (let n = s.length - 1; n >= TELLING; n--) parts.push([s.slice(0, n), redact(s)]);
  }
  parts.sort((a, b) => b[0].length - a[0].length);
  if (!parts.length) return [...issues];
  const clean = (text: string) => parts.reduce((t, [part, shown]) => (t.includes(part) ? t.split(part).join(shown) : t), text);
  return issues.map((i) => ({ ...i, message: clean(i.message), ...(i.field !== undefined ? { field: clean(i.field) } : {}) }));
}

export interface RenderedText {
  readonly path: string;
  readonly content: string;
}

/**
 * Backstop over the rendered files: a credential in generated output is an error at the catalog
 * line holding it (when one does), else at the generated file's line.
 */
export function scanRendered(files: readonly RenderedText[], catalogs: readonly { file: string; text: string }[]): Issue[] {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    for (const hit of findInText(f.content)) {
      const key = `${hit.secret}\0${f.path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      issues.push(locateHit(hit, f, catalogs));
    }
  }
  return issues;
}

function locateHit(hit: TextHit, f: RenderedText, catalogs: readonly { file: string; text: string }[]): Issue {
  const message = `${hit.what} (${hit.shown}) would be written to ${f.path} — ${FIX_SECRET}`;
  for (const c of catalogs) {
    const at = c.text.indexOf(hit.secret);
    if (at >= 0) return { file: c.file, ...lineCol(c.text, at), message, severity: 'error' };
  }
  return { file: f.path, ...lineCol(f.content, hit.offset), message, severity: 'error' };
}
