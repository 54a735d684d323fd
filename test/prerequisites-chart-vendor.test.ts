/**
 * Helm-chart prerequisites in vendored mode (`source: vendored`): `vendor --prerequisite
 * envoy-gateway` takes the Envoy Gateway v1.8.1 chart from ../shared (a checkout's chart folder,
 * or a packaged .tgz) into base/vendor/envoy-gateway/v1.8.1 with a lock. The copy is a valid
 * chart at the pin; the Argo CD Applications (git-path Helm source, the CRD folder as plain
 * manifests) and the Flux HelmRelease (chart from the GitRepository) pass the real CRDs; check
 * holds the copy to its lock; a switch back to remote restores the registry sources. There is
 * no helm binary on the test machines, so the chart is not rendered; its structure is checked.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as tar from 'tar';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../generator/src/commands/check.js';
import { generate } from '../generator/src/commands/generate.js';
import { vendor } from '../generator/src/commands/vendor.js';
import { formatIssue, UserError } from '../generator/src/errors.js';
import { loadCatalog } from '../generator/src/catalog/load.js';
import { pinnedVersion } from '../generator/src/prerequisites/pins.js';
import { crdValidator } from './helpers/crd-ajv.js';
import { cli, kustomize, repoWith, snapshot, tempDir, UPSTREAM } from './helpers/repo.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const CHART_SRC = join(UPSTREAM, 'envoy-gateway', 'v1.8.1');
const PIN = pinnedVersion('v0.20.0', 'envoy-gateway')!;
const VENDORED = `base/vendor/envoy-gateway/${PIN}`;
const APPLICATION_CRD = join(UPSTREAM, 'argo-cd', 'v3.5.1', 'manifests', 'crds', 'application-crd.yaml');
const HELMRELEASE_CRD = join(UPSTREAM, 'helm-controller', 'v1.6.3', 'config', 'crd', 'bases', 'helm.toolkit.fluxcd.io_helmreleases.yaml');
const KUSTOMIZATION_CRD = join(UPSTREAM, 'kustomize-controller', 'v1.9.4', 'config', 'crd', 'bases', 'kustomize.toolkit.fluxcd.io_kustomizations.yaml');
const GITREPOSITORY_CRD = join(UPSTREAM, 'source-controller', 'v1.9.1', 'config', 'crd', 'bases', 'source.toolkit.fluxcd.io_gitrepositories.yaml');
const OCIREPOSITORY_CRD = join(UPSTREAM, 'source-controller', 'v1.9.1', 'config', 'crd', 'bases', 'source.toolkit.fluxcd.io_ocirepositories.yaml');

const catalog = (engine: string, source = '{ source: vendored }') => `namespace: llm-dev
platform:
  mode: standalone
  kserve: v0.20.0
  prerequisites:
    envoy-gateway: ${source}
delivery: { engine: ${engine}, repoURL: https://github.com/example-org/llm-gitops.git }
models:
  tiny:
    uri: hf://facebook/opt-125m
    accelerator: cpu
    router: direct
    resources: { cpu: "1", memory: 2Gi }
`;
const read = (dir: string, path: string): Obj => parse(readFileSync(join(dir, path), 'utf8')) as Obj;
const ok = async (args: string[], dir: string) => {
  const r = await cli(args, dir);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
};
// In-process (a CLI start costs seconds on a loaded machine); the CLI is run once, in beforeAll.
const gen = (root: string) => generate({ root, envs: [], dryRun: false });
const stale = async (root: string) => (await check(root, [])).stale.map(formatIssue);
const vendorChart = (root: string, from: string) => vendor({ root, from, prerequisite: 'envoy-gateway' });
/** The UserError a call fails with, as `exit code: text`. */
const refused = async (p: Promise<unknown>) => {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(UserError);
  return `${(e as UserError).exitCode}: ${(e as UserError).message}`;
};
const valid = (crd: string, o: Obj) => expect(crdValidator(crd).validate(o), `${o.kind}/${o.metadata?.name}`).toEqual([]);

let argo: { dir: string; cleanup: () => void };
let flux: { dir: string; cleanup: () => void };
const scratch = tempDir();
beforeAll(async () => {
  argo = repoWith({ dev: catalog('argocd') });
  flux = repoWith({ dev: catalog('flux') });
  const vendored = await ok(['vendor', '--prerequisite', 'envoy-gateway', '--from', CHART_SRC], argo.dir);
  expect(vendored.stdout).toContain(`created      ${VENDORED}/Chart.yaml`);
  await vendorChart(flux.dir, CHART_SRC);
  await Promise.all([gen(argo.dir), gen(flux.dir)]);
});
afterAll(() => {
  argo?.cleanup();
  flux?.cleanup();
  scratch.cleanup();
});

describe('vendor --prerequisite envoy-gateway (a Helm chart)', () => {
  it('the copy is a valid chart at the pin: Chart.yaml version, values from the release template, its subchart, its CRD folder, the lock', () => {
    const chart = read(argo.dir, `${VENDORED}/Chart.yaml`);
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'gateway-helm', version: PIN, appVersion: PIN });
    // The rest of Chart.yaml is upstream's, byte for byte (only version/appVersion are the release's).
    const upstream = readFileSync(join(CHART_SRC, 'charts/gateway-helm/Chart.yaml'), 'utf8').split('\n').filter((l) => !/^(version|appVersion):/.test(l));
    expect(readFileSync(join(argo.dir, VENDORED, 'Chart.yaml'), 'utf8').split('\n').filter((l) => !/^(version|appVersion):/.test(l))).toEqual(upstream);
    // Every dependency is inside the chart, at its version (Helm loads charts/<name>).
    for (const d of chart.dependencies as Obj[]) expect(read(argo.dir, `${VENDORED}/charts/${d.name}/Chart.yaml`).version, d.name).toBe(d.version);
    const values = read(argo.dir, `${VENDORED}/values.yaml`);
    expect(values.global.images.envoyGateway).toMatchObject({ image: `docker.io/envoyproxy/gateway:${PIN}`, pullPolicy: 'IfNotPresent' });
    expect(readFileSync(join(argo.dir, VENDORED, 'values.yaml'), 'utf8')).not.toMatch(/\$\{/);
    expect(existsSync(join(argo.dir, VENDORED, 'values.tmpl.yaml'))).toBe(false);
    for (const t of readdirSync(join(CHART_SRC, 'charts/gateway-helm/templates'))) expect(existsSync(join(argo.dir, VENDORED, 'templates', t)), t).toBe(true);
    // The CRD unit's folder: Envoy Gateway's own CRDs only (the Gateway API ones belong to gateway-api).
    // (Read by their top-level lines: a full parse of these 2.4 MB takes seconds.)
    const crds = readdirSync(join(argo.dir, VENDORED, 'charts/crds/crds/generated')).map((f) => readFileSync(join(argo.dir, VENDORED, 'charts/crds/crds/generated', f), 'utf8'));
    expect(crds.length).toBe(8);
    for (const c of crds) expect([/^kind: (.*)$/m.exec(c)?.[1], /^ {2}group: (.*)$/m.exec(c)?.[1]]).toEqual(['CustomResourceDefinition', 'gateway.envoyproxy.io']);
    const lock = JSON.parse(readFileSync(join(argo.dir, VENDORED, 'vendor.lock.json'), 'utf8')) as { prerequisite: string; version: string; files: Record<string, string> };
    expect(lock).toMatchObject({ prerequisite: 'envoy-gateway', version: PIN });
    expect(Object.keys(lock.files)).toContain('LICENSE');
    expect(Object.keys(lock.files).sort()).toEqual([...snapshot(join(argo.dir, VENDORED)).keys()].filter((p) => p !== 'vendor.lock.json').sort());
  });

  it('Argo CD: the chart as a git-path Helm source and the CRD folder as plain manifests, valid Applications, check passes', async () => {
    const apps = Object.fromEntries(['envoy-gateway', 'envoy-gateway-crds'].map((id) => [id, read(argo.dir, `environments/dev/delivery/apps/prerequisite-${id}.yaml`)]));
    for (const a of Object.values(apps)) valid(APPLICATION_CRD, a);
    const git = { repoURL: 'https://github.com/example-org/llm-gitops.git', targetRevision: 'main' };
    expect(apps['envoy-gateway']!.spec.source).toEqual({ ...git, path: VENDORED, helm: { releaseName: 'envoy-gateway', skipCrds: true, valuesObject: { crds: { gatewayAPI: { safeUpgradePolicy: { enabled: false } } } } } });
    // The value names a real switch of the chart it is given to (the crds subchart's own values).
    expect(read(argo.dir, `${VENDORED}/charts/crds/values.yaml`).gatewayAPI.safeUpgradePolicy.enabled).toBe(true);
    expect(readFileSync(join(argo.dir, VENDORED, 'charts/crds/templates/gatewayapi-safe-upgrade-policy.yaml'), 'utf8')).toContain('{{- if .Values.gatewayAPI.safeUpgradePolicy.enabled }}');
    expect(apps['envoy-gateway-crds']!.spec.source).toEqual({ ...git, path: `${VENDORED}/charts/crds/crds/generated` });
    expect(apps['envoy-gateway-crds']!.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    // Argo CD reads the path as a Helm chart (Chart.yaml there), the CRD folder as a directory (no kustomization, no chart).
    expect(existsSync(join(argo.dir, VENDORED, 'Chart.yaml'))).toBe(true);
    expect(readdirSync(join(argo.dir, apps['envoy-gateway-crds']!.spec.source.path)).filter((f) => /^(Chart|kustomization)\.ya?ml$/.test(f))).toEqual([]);
    expect(await stale(argo.dir)).toEqual([]);
    expect(readFileSync(join(argo.dir, 'environments/dev/prerequisites/README.md'), 'utf8')).toContain(`chart gateway-helm ${PIN} vendored at \`${VENDORED}\``);
  });

  it('Flux: the HelmRelease takes the chart from the GitRepository (no OCIRepository), all valid against the real CRDs', async () => {
    const dir = 'environments/dev/prerequisites/envoy-gateway';
    expect(read(flux.dir, `${dir}/kustomization.yaml`).resources).toEqual(['release.yaml']);
    expect(existsSync(join(flux.dir, dir, 'source.yaml'))).toBe(false);
    const built = (await kustomize(join(flux.dir, dir))).split(/^---$/m).map((d) => parse(d) as Obj).filter(Boolean);
    expect(built.map((o) => o.kind)).toEqual(['HelmRelease']);
    const release = built[0]!;
    valid(HELMRELEASE_CRD, release);
    const gitRepos = [...snapshot(join(flux.dir, 'environments/dev')).entries()].filter(([, t]) => /^kind: GitRepository$/m.test(t)).map(([p]) => read(flux.dir, `environments/dev/${p}`));
    expect(gitRepos.length).toBe(1);
    valid(GITREPOSITORY_CRD, gitRepos[0]!);
    expect(release.spec.chart.spec).toEqual({ chart: `./${VENDORED}`, sourceRef: { kind: 'GitRepository', name: gitRepos[0]!.metadata.name }, interval: '1h' });
    expect(release.metadata.namespace).toBe(gitRepos[0]!.metadata.namespace);
    expect(release.spec).toMatchObject({ install: { crds: 'Skip' }, upgrade: { crds: 'Skip' } });
    const crdUnit = read(flux.dir, 'environments/dev/delivery/apps/prerequisite-envoy-gateway-crds.yaml');
    valid(KUSTOMIZATION_CRD, crdUnit);
    expect(crdUnit.spec.path).toBe(`./${VENDORED}/charts/crds/crds/generated`);
    expect(await stale(flux.dir)).toEqual([]);
  });

  it('a packaged chart (.tgz) vendors the same files as the checkout; links in it are never unpacked', async () => {
    const pkg = join(scratch.dir, 'pkg', 'gateway-helm');
    mkdirSync(pkg, { recursive: true });
    cpSync(join(argo.dir, VENDORED), pkg, { recursive: true });
    rmSync(join(pkg, 'vendor.lock.json'));
    rmSync(join(pkg, 'LICENSE'));
    symlinkSync('/etc/passwd', join(pkg, 'templates', 'evil.yaml'));
    const tgz = join(scratch.dir, `gateway-helm-${PIN}.tgz`);
    await tar.c({ gzip: true, file: tgz, cwd: join(scratch.dir, 'pkg') }, ['gateway-helm']);
    const repo = repoWith({ dev: catalog('argocd') });
    try {
      await vendorChart(repo.dir, tgz);
      const mine = snapshot(join(repo.dir, VENDORED));
      expect(mine.has('templates/evil.yaml')).toBe(false);
      const theirs = snapshot(join(argo.dir, VENDORED));
      for (const p of ['vendor.lock.json', 'LICENSE']) theirs.delete(p);
      mine.delete('vendor.lock.json');
      expect(mine).toEqual(theirs);
    } finally {
      repo.cleanup();
    }
  });

  it('downloads a packaged chart from an http(s) URL (same files as the checkout); a 404 is a clear error', async () => {
    const pkg = join(scratch.dir, 'served', 'gateway-helm');
    mkdirSync(pkg, { recursive: true });
    cpSync(join(argo.dir, VENDORED), pkg, { recursive: true });
    rmSync(join(pkg, 'vendor.lock.json'));
    const tgz = join(scratch.dir, 'served.tgz');
    await tar.c({ gzip: true, file: tgz, cwd: join(scratch.dir, 'served') }, ['gateway-helm']);
    const body = readFileSync(tgz);
    const server = createServer((req, res) => {
      if (req.url === `/charts/gateway-helm-${PIN}.tgz`) res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length }).end(body);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/charts`;
    const repo = repoWith({ dev: catalog('argocd') });
    try {
      await vendorChart(repo.dir, `${base}/gateway-helm-${PIN}.tgz`);
      expect(snapshot(join(repo.dir, VENDORED))).toEqual(snapshot(join(argo.dir, VENDORED)));
      expect(await refused(vendorChart(repo.dir, `${base}/nope.tgz`))).toContain(`1: ${base}/nope.tgz: download failed: HTTP 404 — check the URL of the packaged chart`);
    } finally {
      server.close();
      repo.cleanup();
    }
  });

  it('pulls an oci:// chart as helm pull does (anonymous Bearer token, the chart layer by digest); a tampered layer is refused', async () => {
    const pkg = join(scratch.dir, 'oci', 'gateway-helm');
    mkdirSync(pkg, { recursive: true });
    cpSync(join(argo.dir, VENDORED), pkg, { recursive: true });
    rmSync(join(pkg, 'vendor.lock.json'));
    const tgz = join(scratch.dir, 'oci.tgz');
    await tar.c({ gzip: true, file: tgz, cwd: join(scratch.dir, 'oci') }, ['gateway-helm']);
    const body = readFileSync(tgz);
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const seen: string[] = [];
    const server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      seen.push(`${req.method} ${url.pathname}${req.headers.authorization ? ' (token)' : ''}`);
      if (url.pathname === '/token') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `anon-${url.searchParams.get('scope')}` }));
      if (req.headers.authorization !== 'Bearer anon-repository:envoyproxy/gateway-helm:pull' && !url.pathname.includes('/evil/')) {
        return void res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="fake",scope="repository:envoyproxy/gateway-helm:pull"` }).end();
      }
      if (/\/v2\/envoyproxy\/(gateway-helm|evil\/gateway-helm)\/manifests\/v1\.8\.1$/.test(url.pathname)) {
        const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: `sha256:${'0'.repeat(64)}`, size: 2 }, layers: [{ mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', digest, size: body.length }] };
        return void res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(JSON.stringify(manifest));
      }
      if (url.pathname.endsWith(`/blobs/${digest}`)) {
        // The evil repository serves other bytes under the manifest's digest.
        const bytes = url.pathname.includes('/evil/') ? Buffer.concat([body.subarray(0, body.length - 1), Buffer.from([body[body.length - 1]! ^ 1])]) : body;
        return void res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const repo = repoWith({ dev: catalog('argocd') });
    try {
      await vendorChart(repo.dir, `oci://${host}/envoyproxy/gateway-helm`);
      expect(snapshot(join(repo.dir, VENDORED))).toEqual(snapshot(join(argo.dir, VENDORED)));
      expect(seen).toEqual(['GET /v2/envoyproxy/gateway-helm/manifests/v1.8.1', 'GET /token', 'GET /v2/envoyproxy/gateway-helm/manifests/v1.8.1 (token)', `GET /v2/envoyproxy/gateway-helm/blobs/${digest} (token)`]);
      const before = snapshot(join(repo.dir, VENDORED));
      const evil = await refused(vendorChart(repo.dir, `oci://${host}/envoyproxy/evil/gateway-helm`));
      expect(evil).toContain(`the chart layer's sha256 is sha256:`);
      expect(evil).toContain(`not the manifest's ${digest} — the download was altered or cut short`);
      expect(snapshot(join(repo.dir, VENDORED))).toEqual(before);
      expect(await refused(vendorChart(repo.dir, `oci://${host}/envoyproxy/missing`))).toContain('the registry answered HTTP 404 for the chart\'s manifest');
    } finally {
      server.close();
      repo.cleanup();
    }
  });

  it('refuses a linked file in a chart folder and a chart of another version, and writes nothing', async () => {
    const src = join(scratch.dir, 'linked');
    cpSync(join(CHART_SRC, 'charts/gateway-helm'), src, { recursive: true });
    symlinkSync('/etc/passwd', join(src, 'templates', 'evil.yaml'));
    const old = join(scratch.dir, 'old');
    cpSync(join(CHART_SRC, 'charts/gateway-helm'), old, { recursive: true });
    writeFileSync(join(old, 'Chart.yaml'), readFileSync(join(old, 'Chart.yaml'), 'utf8').replace(/^version:.*$/m, 'version: v1.7.0'));
    const repo = repoWith({ dev: catalog('argocd') });
    try {
      expect(await refused(vendorChart(repo.dir, src))).toContain(`1: ${join(src, 'templates', 'evil.yaml')}: is a symbolic link in the chart — vendor never follows links`);
      expect(await refused(vendorChart(repo.dir, old))).toContain(`1: ${old}/Chart.yaml: is chart version v1.7.0, not the pinned ${PIN}`);
      expect(existsSync(join(repo.dir, 'base'))).toBe(false);
    } finally {
      repo.cleanup();
    }
  });

  it('check holds the copy to its lock; a switch back to remote restores the registry sources', async () => {
    const values = join(flux.dir, VENDORED, 'values.yaml');
    const text = readFileSync(values, 'utf8');
    writeFileSync(values, `${text}# edited\n`);
    expect((await stale(flux.dir)).join('\n')).toContain(`${VENDORED}/values.yaml: does not match its sha256 in vendor.lock.json`);
    writeFileSync(values, text);
    const lock = join(flux.dir, VENDORED, 'vendor.lock.json');
    const lockText = readFileSync(lock, 'utf8');
    rmSync(lock);
    expect((await stale(flux.dir)).join('\n')).toContain(`${VENDORED}/vendor.lock.json: is missing, but the envoy-gateway unit points at the vendored copy — run \`llm-gitops vendor --prerequisite envoy-gateway --version ${PIN} --from <checkout>\``);
    writeFileSync(lock, lockText);
    // Back to the registry: the OCI sources return, and the copy no longer matters to check.
    for (const repo of [argo, flux]) writeFileSync(join(repo.dir, 'environments/dev/catalog.yaml'), catalog(repo === argo ? 'argocd' : 'flux', 'managed'));
    await Promise.all([gen(argo.dir), gen(flux.dir)]);
    const app = read(argo.dir, 'environments/dev/delivery/apps/prerequisite-envoy-gateway.yaml');
    valid(APPLICATION_CRD, app);
    expect(app.spec.source).toMatchObject({ repoURL: 'oci://registry-1.docker.io/envoyproxy/gateway-helm', path: '.', targetRevision: PIN });
    expect(read(argo.dir, 'environments/dev/delivery/apps/prerequisite-envoy-gateway-crds.yaml').spec.source.repoURL).toBe('oci://registry-1.docker.io/envoyproxy/gateway-crds-helm');
    const source = read(flux.dir, 'environments/dev/prerequisites/envoy-gateway/source.yaml');
    valid(OCIREPOSITORY_CRD, source);
    expect(source.spec).toMatchObject({ url: 'oci://registry-1.docker.io/envoyproxy/gateway-helm', ref: { tag: PIN } });
    expect(read(flux.dir, 'environments/dev/prerequisites/envoy-gateway/release.yaml').spec.chartRef).toEqual({ kind: 'OCIRepository', name: 'dev-envoy-gateway' });
    rmSync(lock);
    expect(await stale(flux.dir)).toEqual([]);
  });
});

describe('catalog rule: source: vendored', () => {
  const warnings = (prerequisites: string) => {
    const r = loadCatalog('dev', 'environments/dev/catalog.yaml', catalog('argocd').replace('envoy-gateway: { source: vendored }', prerequisites));
    if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
    return r.warnings.filter((w) => w.message.includes('vendored has no effect')).map((w) => `${w.line}:${w.col} ${w.field}: ${w.message}`);
  };
  it('warns, at the key, when the tree does not install the chart it names', () => {
    expect(warnings('envoy-gateway: { source: vendored }')).toEqual([]);
    expect(warnings('envoy-gateway: { install: external, source: vendored }')).toEqual([
      '6:49 platform.prerequisites.envoy-gateway.source: vendored has no effect: the tree does not install envoy-gateway (external) — remove source: vendored, or set install: managed',
    ]);
  });
});
