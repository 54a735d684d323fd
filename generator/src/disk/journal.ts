/**
 * The recovery journal of a transaction, and how it is read back. A journal on disk is
 * untrusted input — it may have been committed by someone else, truncated, or hand-made — so
 * it names only *targets* and what happened to them; the temp and backup files are derived
 * from a target by `sidecar`, never read from the journal, and every target must be a path
 * the tool may write (disk/paths.ts). Anything else is refused with an Issue, never obeyed.
 *
 * `committed` is the commit record: written (atomically, by rename) after the last rename
 * into place. Before it, recovery rolls back; after it, recovery rolls forward.
 */
import { posix } from 'node:path';
import type { Issue } from '../errors.js';
import { JOURNAL } from './files.js';
import { isWritablePath, parentsOf } from './paths.js';
import { stagedTemp } from './stage.js';

export type Op = 'create' | 'update' | 'delete';

export interface Journal {
  /** 3: temps in the run's stage folder; 2 (the release before it, still recovered): temps beside their targets. */
  readonly version: 2 | 3;
  /** Names this run's sidecar files: 8 lower-case hex digits. */
  readonly id: string;
  /** The commit record: every target is in place. */
  readonly committed: boolean;
  readonly entries: readonly { readonly target: string; readonly op: Op }[];
  /** Folders this run creates, shallowest first (removed again on rollback when empty). */
  readonly dirs: readonly string[];
}

/**
 * The backup beside `target` or its temp in the stage (disk/stage.ts), for the run `id`: the
 * one place these names come from. A version 2 journal (an interrupted run of the previous
 * release) had its temps beside their targets too.
 */
export function sidecar(target: string, id: string, ext: 'tmp' | 'bak', version: Journal['version'] = 3): string {
  if (ext === 'tmp' && version === 3) return stagedTemp(target, id);
  const dir = posix.dirname(target);
  return `${dir === '.' ? '' : `${dir}/`}.${posix.basename(target)}.llm-gitops-${id}.${ext}`;
}

/** The staging names of the journal itself (written, then renamed onto JOURNAL). */
export const journalStage = (id: string, what: 'new' | 'commit') => `${JOURNAL}.${id}.${what}`;
export const JOURNAL_STAGE = /^\.llm-gitops-journal\.json\.[0-9a-f]{8}\.(new|commit)$/;

const FIX = `nothing was changed — look at it (llm-gitops never commits a journal, and never obeys one it cannot trust), then delete it (\`rm ${JOURNAL}\`) and run generate again`;

const refuse = (why: string): Issue => ({ file: JOURNAL, message: `${why} — ${FIX}`, severity: 'error' });

/** Parses a journal's text; an Issue (never an exception) when it is not one this tool wrote. */
export function parseJournal(text: string): Journal | Issue {
  if (text.trim() === '') return refuse('is empty, so it is not a journal llm-gitops wrote');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return refuse(`is not valid JSON (${(e as Error).message}; truncated?)`);
  }
  const j = raw as Partial<Record<keyof Journal, unknown>>;
  if (!j || typeof j !== 'object' || Array.isArray(j)) return refuse('is not a JSON object');
  if (j.version !== 3 && j.version !== 2) return refuse(j.version === undefined ? "has no \"version\": 3, so it is not a journal this llm-gitops wrote" : `has version ${JSON.stringify(j.version)}, not 3 or 2 (written by another version of llm-gitops?)`);
  if (typeof j.id !== 'string' || !/^[0-9a-f]{8}$/.test(j.id)) return refuse('has no valid "id" (8 hex digits)');
  if (typeof j.committed !== 'boolean') return refuse('has no boolean "committed"');
  if (!Array.isArray(j.entries) || !Array.isArray(j.dirs)) return refuse('has no "entries" or "dirs" list');
  const extra = Object.keys(j).filter((k) => !['version', 'id', 'committed', 'entries', 'dirs'].includes(k));
  if (extra.length) return refuse(`has unknown keys (${extra.join(', ')})`);
  const targets = new Set<string>();
  for (const e of j.entries as unknown[]) {
    const entry = e as { target?: unknown; op?: unknown };
    if (!entry || typeof entry !== 'object' || Object.keys(entry).some((k) => k !== 'target' && k !== 'op')) return refuse('has an entry that is not {target, op}');
    if (typeof entry.target !== 'string' || !isWritablePath(entry.target)) return refuse(`names ${JSON.stringify(entry.target)}, which is not a path llm-gitops writes (base/, overlays/, environments/, a plain relative path)`);
    if (entry.op !== 'create' && entry.op !== 'update' && entry.op !== 'delete') return refuse(`has an entry with op ${JSON.stringify(entry.op)}`);
    if (targets.has(entry.target)) return refuse(`names ${entry.target} twice`);
    targets.add(entry.target);
  }
  // A folder it may remove must be one it would have created for one of its own targets.
  const parents = new Set([...targets].flatMap(parentsOf));
  for (const d of j.dirs as unknown[]) {
    if (typeof d !== 'string' || !parents.has(d)) return refuse(`lists the folder ${JSON.stringify(d)}, which holds none of its files`);
  }
  return j as Journal;
}

export const serializeJournal = (j: Journal) => `${JSON.stringify(j)}\n`;

