/**
 * Storage paths stay where they say: a `pvc://claim/path` (or hf://, s3://, gs://) anywhere in the
 * catalog — a model uri, download.from, an adapter, the spec escape hatch — may not climb out of
 * its claim or bucket with `..`, restart at the root with an empty segment (`pvc://store//etc`),
 * or hide a separator as `\`. KServe joins the path under a mount point (and the download Job
 * writes there), so `pvc://store/../../etc` would name a folder outside the claim.
 */
import type { Issue } from '../errors.js';
import type { CatalogDocument, PathKey } from './document.js';
import type { CatalogFile } from './schema.js';

const STORAGE = /^(pvc|hf|s3|gs):\/\/([^/]*)(\/.*)?$/s;

/** What is wrong with the path part of a storage URI, or undefined. */
export function storagePathProblem(uri: string): string | undefined {
  const m = STORAGE.exec(uri);
  if (!m) return undefined;
  const [, scheme, root, rest = ''] = m;
  const where = scheme === 'pvc' ? 'claim' : scheme === 'hf' ? 'repository' : 'bucket';
  if (root === '..' || root === '.') return `"${root}" is not a ${where} name`;
  const segments = rest.split('/').slice(1);
  if (rest.includes('\\')) return `a "\\" in the path — use "/" between folders`;
  if (segments.some((s) => s === '..' || s === '.')) return `the path climbs with "${segments.find((s) => s === '..' || s === '.')}" — name the folder inside the ${where} directly, e.g. ${scheme}://${root}/models/qwen`;
  if (segments.slice(0, -1).some((s) => s === '')) return `the path has an empty segment ("//"), which reads as an absolute path — write ${scheme}://${root}/<folder>`;
  return undefined;
}

export function pathsStayInside(_c: CatalogFile, doc: CatalogDocument): Issue[] {
  const issues: Issue[] = [];
  const walk = (v: unknown, path: PathKey[]): void => {
    if (typeof v === 'string') {
      const bad = storagePathProblem(v);
      if (bad) issues.push(doc.at(path, `${bad}`));
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  // The document as written (templates not yet merged into models), so each finding is at its own line.
  walk(doc.data, []);
  return issues;
}
