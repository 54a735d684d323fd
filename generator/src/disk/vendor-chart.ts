/**
 * `vendor --prerequisite <chart>`: a Helm chart (prerequisites/charts.ts) into
 * base/vendor/<name>/<version>/ with a sha256 lock. The source is the chart folder, a checkout
 * holding it (charts/<chart> or deploy/charts/<chart>), a packaged chart (.tgz, as `helm pull`
 * saves it), an https:// URL of one, or its oci:// reference (disk/oci-chart.ts; tag = the version). Hardened as the KServe vendor: tarballs are streamed
 * under the size caps with links never unpacked, a folder is read without following links, each
 * file and all of them are capped, and only text files are taken (a packaged subchart .tgz is
 * refused, not copied blind). A checkout gets the release steps `helm package` would have made:
 * Chart.yaml's placeholder version set to the pin, values.yaml filled from its template.
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'yaml';
import { UserError } from '../errors.js';
import { chartVendorDir, sameVersion, VENDORED_CHARTS, type VendoredChart } from '../prerequisites/charts.js';
import type { Change } from './plan.js';
import { pullChart } from './oci-chart.js';
import { LIMITS, unpackTarball } from './vendor-source.js';
import { LOCK, sha256, vendorChanges } from './vendor.js';
import type { PrerequisiteLock } from './vendor-prerequisite.js';

const MiB = (n: number) => `${Math.round(n / (1 << 20))} MiB`;
/** Folders a chart never needs (VCS internals). */
const SKIP = new Set(['.git', '.hg', '.svn']);

/** Opens `from` and finds the chart in it: `{ chartDir, top, cleanup }` (top: where a LICENSE may sit above the chart). */
export async function openChartSource(name: string, from: string, version: string): Promise<{ chartDir: string; top: string; cleanup: () => Promise<void> }> {
  const spec = VENDORED_CHARTS[name]!;
  const what = `a packaged ${spec.chart} chart (.tgz)`;
  const tarSpec = { needed: (p: string) => !p.split('/').some((s) => SKIP.has(s)), what, hint: `${what} or its folder`, part: 'the chart', offline: `fetch the chart elsewhere (\`helm pull\`) and pass \`--from <the .tgz or the chart folder>\`` };
  let dir: string;
  let cleanup = async () => undefined as void;
  if (from.startsWith('oci://')) {
    // The chart at tag <version>, as `helm pull oci://… --version <version>` fetches it.
    ({ dir, cleanup } = await unpackTarball(from, () => pullChart(from, version), tarSpec));
  } else if (/^https?:\/\//.test(from)) {
    ({ dir, cleanup } = await unpackTarball(from, async () => {
      const res = await fetch(from, { signal: AbortSignal.timeout(120_000) });
      if (!res.ok || !res.body) throw UserError.of(from, `download failed: HTTP ${res.status} — check the URL of the packaged chart`);
      const declared = Number(res.headers.get('content-length') ?? 0);
      if (declared > LIMITS.download) throw UserError.of(from, `is ${MiB(declared)}, over the ${MiB(LIMITS.download)} a chart can need — check the URL`);
      return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
    }, tarSpec));
  } else {
    const st = await stat(from).catch(() => undefined);
    if (!st) throw UserError.of(from, `no such file or folder — pass ${what}, its folder, or a checkout of the project`, 2);
    if (st.isDirectory()) dir = from;
    else ({ dir, cleanup } = await unpackTarball(from, async () => createReadStream(from), tarSpec));
  }
  try {
    return { ...(await findChart(dir, spec, from)), cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** The chart's folder: `dir` itself, charts/<chart>, deploy/charts/<chart>, or any of those one level down (a tarball's top folder). */
async function findChart(dir: string, spec: VendoredChart, label: string): Promise<{ chartDir: string; top: string }> {
  const isChart = async (d: string) => {
    const st = await lstat(join(d, 'Chart.yaml')).catch(() => undefined);
    if (!st?.isFile()) return false;
    const meta = parse(await readFile(join(d, 'Chart.yaml'), 'utf8').catch(() => '')) as { name?: unknown } | null;
    return meta?.name === spec.chart;
  };
  const within = async (top: string) => {
    for (const d of [top, join(top, 'charts', spec.chart), join(top, 'deploy', 'charts', spec.chart)]) if (await isChart(d)) return { chartDir: d, top };
    return undefined;
  };
  const found = await within(dir);
  if (found) return found;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const f = await within(join(dir, e.name));
    if (f) return f;
  }
  throw UserError.of(label, `holds no Helm chart named ${spec.chart} (no Chart.yaml with name: ${spec.chart} in it, in charts/${spec.chart}, or one level down) — pass the packaged chart or a checkout of the project at the pinned tag`);
}

/** Every file of the chart, chart-relative → text; links, non-text files and oversized ones are refused. */
async function readChart(chartDir: string, label: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  let total = 0;
  const walk = async (rel: string): Promise<void> => {
    for (const e of (await readdir(join(chartDir, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = rel ? posix.join(rel, e.name) : e.name;
      if (SKIP.has(e.name)) continue;
      if (e.isSymbolicLink()) throw UserError.of(join(label, child), 'is a symbolic link in the chart — vendor never follows links (one could lead outside the source); pass the packaged chart or a plain checkout');
      if (e.isDirectory()) {
        await walk(child);
        continue;
      }
      if (!e.isFile()) throw UserError.of(join(label, child), 'is not a regular file or folder in the chart');
      const size = (await lstat(join(chartDir, child))).size;
      if (size > LIMITS.entry) throw UserError.of(join(label, child), `is ${MiB(size)}, over the ${MiB(LIMITS.entry)} cap of one vendored file`);
      total += size;
      if (total > LIMITS.taken) throw UserError.of(label, `the chart is over ${MiB(LIMITS.taken)} — not a chart vendor takes`);
      const bytes = await readFile(join(chartDir, child));
      const text = bytes.toString('utf8');
      if (!Buffer.from(text, 'utf8').equals(bytes)) throw UserError.of(join(label, child), 'is not a text file (a packaged subchart?) — vendor copies chart sources only; unpack the subchart into charts/<name>/ first');
      files.set(child, text);
    }
  };
  await walk('');
  return files;
}

/**
 * The release steps of a chart checkout, so the copy is what `helm package --version <pin>`
 * would hold: a placeholder version (0.0.0…) becomes the pin, values.yaml is made from its
 * template. A real version other than the pin is refused.
 */
function release(files: Map<string, string>, name: string, spec: VendoredChart, version: string, label: string): void {
  const chartYaml = files.get('Chart.yaml')!;
  const meta = (parse(chartYaml) ?? {}) as { version?: unknown; appVersion?: unknown };
  const at = `${label}/Chart.yaml`;
  const v = String(meta.version ?? '');
  if (!sameVersion(v, version)) {
    if (!/^v?0\.0\.0(-[0-9A-Za-z.-]+)?$/.test(v)) {
      throw UserError.of(at, `is chart version ${v}, not the pinned ${version} — pass the ${spec.chart} chart of ${version}, or --version ${v} (and platform.prerequisites.${name}.version: ${v})`);
    }
    // What `helm package --version <pin> --app-version <pin>` writes; the rest of the file is kept byte for byte.
    let text = chartYaml.replace(/^version:.*$/m, `version: ${version}`);
    if (meta.appVersion !== undefined) text = text.replace(/^appVersion:.*$/m, `appVersion: "${version}"`);
    files.set('Chart.yaml', text);
  }
  const t = spec.valuesTemplate;
  if (t && !files.has('values.yaml') && files.has(t.file)) {
    const vars = t.vars(version);
    const values = files.get(t.file)!.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, k: string) => vars[k] ?? m);
    const left = /\$\{[A-Za-z_][A-Za-z0-9_]*\}/.exec(values);
    if (left) throw UserError.of(`${label}/${t.file}`, `uses ${left[0]}, which vendor cannot fill in — pass the packaged chart instead`);
    files.set('values.yaml', values);
    files.delete(t.file); // the release drops the template (.helmignore: *.tmpl.*)
  }
}

/** The changes that make base/vendor/<name>/<version> hold the chart (lock included). */
export async function planChartVendor(root: string, name: string, version: string, src: { chartDir: string; top: string }, label: string): Promise<Change[]> {
  const spec = VENDORED_CHARTS[name]!;
  const files = await readChart(src.chartDir, label);
  release(files, name, spec, version, label);
  if (!files.has('LICENSE')) {
    const st = await lstat(join(src.top, 'LICENSE')).catch(() => undefined);
    if (st?.isFile() && st.size <= LIMITS.entry) files.set('LICENSE', await readFile(join(src.top, 'LICENSE'), 'utf8'));
  }
  files.delete(LOCK);
  const sorted = [...files].sort(([a], [b]) => (a < b ? -1 : 1));
  const lock: PrerequisiteLock = { prerequisite: name, version, files: Object.fromEntries(sorted.map(([p, t]) => [p, sha256(t)])) };
  const wanted = new Map(sorted);
  wanted.set(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
  return vendorChanges(root, chartVendorDir(name, version), wanted);
}
