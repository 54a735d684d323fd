/**
 * Which Argo CD units deliver each generated file, read from the rendered tree itself (the plan)
 * rather than guessed from paths: every Application the tree renders names its kustomization
 * folder in this repository (`spec.source.path`) and whether it compares with ServerSideDiff
 * (units.ts); each kustomization.yaml names the files and folders it takes (`resources`,
 * `components`, patch files), followed to the files. So the root, platform, models, shard and
 * prerequisite units are all known, and any unit added later is too. Pure.
 */
import { posix } from 'node:path';
import type { OutputFile } from '../../render/output.js';
import { SERVER_SIDE_DIFF } from './units.js';

type Obj = Record<string, unknown>;
const COMPARE = Object.keys(SERVER_SIDE_DIFF)[0]!;

/** An Argo CD unit found in the tree: its Application name, folder, and diff mode. */
export interface DeliveryUnit {
  readonly name: string;
  readonly path: string;
  readonly serverSideDiff: boolean;
}

/** The Applications of the tree that take a folder of this repository. */
export function deliveryUnits(files: readonly OutputFile[]): DeliveryUnit[] {
  const units: DeliveryUnit[] = [];
  for (const f of files) {
    for (const o of (f.objects ?? []) as Obj[]) {
      if (o?.kind !== 'Application' || !String(o.apiVersion ?? '').startsWith('argoproj.io/')) continue;
      const meta = (o.metadata ?? {}) as Obj;
      const source = ((o.spec ?? {}) as Obj).source as Obj | undefined;
      // Chart sources (a Helm repository) have no folder here; a path source is this repository's.
      if (typeof source?.path !== 'string' || source.chart !== undefined || source.path === '.') continue;
      const compare = String(((meta.annotations ?? {}) as Obj)[COMPARE] ?? '');
      units.push({ name: String(meta.name), path: posix.normalize(source.path), serverSideDiff: /(^|,)\s*ServerSideDiff=true\s*(,|$)/.test(compare) });
    }
  }
  return units;
}

/**
 * A relative path of plain segments (none empty, `.` or `..`): joined to a normalized folder, it
 * needs no normalizing. (What `/^(?:(?!\.\.?(?:\/|$))[^/]+\/)*(?!\.\.?$)[^/]+$/` matches, without
 * a regular expression: it runs once per file of the tree.)
 */
export function isPlainPath(ref: string): boolean {
  if (ref === '' || ref === '.' || ref === '..' || ref.charCodeAt(0) === 47 /* / */ || ref.charCodeAt(ref.length - 1) === 47) return false;
  if (ref.includes('//')) return false;
  return !(ref.startsWith('./') || ref.startsWith('../') || ref.endsWith('/.') || ref.endsWith('/..') || ref.includes('/./') || ref.includes('/../'));
}
const joinPath = (dir: string, ref: string) => (dir !== '.' && dir !== '/' && isPlainPath(ref) ? `${dir}/${ref}` : posix.normalize(posix.join(dir, ref)));

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** A remote kustomize reference (`https://…`, `git::…` aside, `github.com/…`): what `/^[a-z][a-z0-9+.-]*:\/\//i` or `/^(github\.com|gitlab\.com|bitbucket\.org)\//` match. */
export const isRemote = (ref: string) => (ref.includes('://') && SCHEME.test(ref)) || ref.startsWith('github.com/') || ref.startsWith('gitlab.com/') || ref.startsWith('bitbucket.org/');

/** Generated file → the units that deliver it (a file no unit reaches is absent). */
export function deliveredBy(files: readonly OutputFile[]): Map<string, DeliveryUnit[]> {
  const byPath = new Map<string, OutputFile>();
  for (const f of files) byPath.set(f.path, f);
  const out = new Map<string, DeliveryUnit[]>();
  for (const unit of deliveryUnits(files)) {
    // Units are walked one after another, so a path this unit reached already ends with it.
    const mark = (path: string): boolean => {
      const units = out.get(path);
      if (!units) out.set(path, [unit]);
      else if (units[units.length - 1] === unit) return false;
      else units.push(unit);
      return true;
    };
    const walk = (dir: string) => {
      const k = byPath.get(`${dir}/kustomization.yaml`);
      if (!k || !mark(k.path)) return;
      const spec = ((k.objects ?? [])[0] ?? {}) as Obj;
      const follow = (ref: unknown) => {
        if (typeof ref !== 'string' || isRemote(ref)) return;
        const p = joinPath(dir, ref);
        if (p.startsWith('..')) return;
        if (byPath.has(p)) mark(p);
        else walk(p);
      };
      for (const ref of (spec.resources ?? []) as unknown[]) follow(ref);
      for (const ref of (spec.components ?? []) as unknown[]) follow(ref);
      for (const p of (spec.patches ?? []) as Obj[]) follow(p?.path);
    };
    walk(unit.path);
  }
  return out;
}

/**
 * Whether `file`'s list-item drift matters: some unit delivering it diffs client-side, or none
 * of the tree's units delivers it (then nothing says it is covered).
 */
export function clientSideDiffed(delivered: ReadonlyMap<string, readonly DeliveryUnit[]>, file: string): boolean {
  const units = delivered.get(file);
  return !units?.length || units.some((u) => !u.serverSideDiff);
}
