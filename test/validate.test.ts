/**
 * `llm-gitops validate` as a user runs it: the example catalogs and the test catalogs, generated
 * in vendored mode from the pinned KServe source, checked against the real CRDs in ../shared
 * (KServe v0.20.0, Argo CD v3.5.1, Flux kustomize-controller v1.9.4 / source-controller v1.9.1)
 * and the built-in Kubernetes kinds, with unknown fields rejected.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, exampleCatalogs, KSERVE_SRC, PROJECT, repoWith, snapshot, UPSTREAM, vendoredRepo } from './helpers/repo.js';
import { warmCache } from './helpers/warm-cache.js';

const KSERVE_CRDS = join(KSERVE_SRC, 'config', 'crd', 'full', 'llmisvc');
const ARGO_CRDS = join(UPSTREAM, 'argo-cd', 'v3.5.1', 'manifests', 'crds');
const FLUX_CRDS = [join(UPSTREAM, 'kustomize-controller', 'v1.9.4', 'config', 'crd'), join(UPSTREAM, 'source-controller', 'v1.9.1', 'config', 'crd')];
/** The prerequisites' kinds: Gateway/GatewayClass, HelmRelease, ExternalSecret (test/prerequisites.test.ts). */
const PREREQUISITE_CRDS = [join(UPSTREAM, 'gateway-api', 'v1.5.1', 'config', 'crd', 'standard'), join(UPSTREAM, 'helm-controller', 'v1.6.3', 'config', 'crd'), join(UPSTREAM, 'external-secrets', 'v2.9.0', 'config', 'crds')];
const ALL = [KSERVE_CRDS, ARGO_CRDS, ...FLUX_CRDS, ...PREREQUISITE_CRDS].flatMap((l) => ['--schema-location', l]);

const fixture = (name: string) => readFileSync(join(PROJECT, 'test', 'fixtures', 'catalogs', name), 'utf8');
const catalogs = () => ({ ...exampleCatalogs(), edge: fixture('edge.yaml'), shared: fixture('unmanaged-platform.yaml'), production: fixture('production.yaml') });

interface JsonReport {
  resources: { filename: string; kind: string; name: string; version: string; status: string; msg: string; validationErrors: { path: string; msg: string; line?: number }[] }[];
  summary: { valid: number; invalid: number; errors: number; skipped: number };
}

// One cache for the suite (test/helpers/warm-cache.ts): the first run converts and compiles the CRDs,
// later runs — in this file and others — load them. This file is about verdicts, not the cache.
const cache = warmCache();
const env = { LLM_GITOPS_CACHE: cache };
let repo: { dir: string; cleanup: () => void };

beforeAll(async () => {
  repo = await vendoredRepo(catalogs());
});
afterAll(() => {
  repo?.cleanup();
});

async function validateJson(dir: string, args: readonly string[] = ALL): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const r = await cli(['validate', '--output', 'json', ...args], dir, env);
  return { code: r.code, report: JSON.parse(r.stdout) as JsonReport, stderr: r.stderr };
}

describe('validate', () => {
  it('passes every generated object of the example and test catalogs; only kustomize configuration is skipped', async () => {
    const r = await cli(['validate', ...ALL], repo.dir, env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // The Gateway API CRDs (the prerequisites' Gateway/GatewayClass) carry one transition rule (oldSelf), skipped at create.
    expect(r.stdout).toMatch(/^\d+ valid, 0 invalid, 0 errors, \d+ skipped\nCEL: \d+ rules in \d+ CRD versions, \d+ compiled \(those objects reached\), 0 could not be compiled, 1 transition rules \(oldSelf\) not checked at create; [1-9]\d* rule evaluations, [1-9]\d* transition skips\n$/);

    const { report } = await validateJson(repo.dir);
    const files = snapshot(repo.dir);
    const models = [...files].filter(([p, t]) => p.startsWith('environments/') && /^kind: LLMInferenceService$/m.test(t));
    const llmisvcs = report.resources.filter((x) => x.kind === 'LLMInferenceService');
    expect(llmisvcs.length).toBe(models.length);
    expect(llmisvcs.length).toBeGreaterThanOrEqual(10);
    for (const x of llmisvcs) {
      expect(x.version).toBe('serving.kserve.io/v1alpha2');
      expect(x.status, `${x.filename}: ${JSON.stringify(x.validationErrors)}`).toBe('statusValid');
    }
    // Delivery and built-in kinds are checked too, not skipped.
    const kinds = new Set(report.resources.filter((x) => x.status === 'statusValid').map((x) => x.kind));
    for (const k of ['Application', 'Kustomization', 'GitRepository', 'LLMInferenceServiceConfig', 'Namespace', 'Job', 'PersistentVolumeClaim', 'ServiceAccount']) expect(kinds, k).toContain(k);
    // Skipped: kustomize.config.k8s.io documents and files kustomizations read as input, each with its reason.
    for (const x of report.resources.filter((y) => y.status === 'statusSkipped')) {
      expect(x.version.startsWith('kustomize.config.k8s.io/') || x.msg.startsWith('kustomize input ('), `${x.filename} ${x.kind}`).toBe(true);
    }
    expect(report.summary.valid + report.summary.skipped).toBe(report.resources.length);
  });

  it('rejects an unknown field and a wrong type from the spec escape hatch, naming file, object and path', async () => {
    const bad = repoWith({
      dev: `namespace: llm-dev
platform: { mode: none }
models:
  broken:
    uri: hf://facebook/opt-125m
    accelerator: cpu
    spec:
      replicas: "two"
      parallelism: { tensor: 2147483648 }
      template:
        containers:
          - name: main
            bogus: 1
`,
    });
    try {
      expect((await cli(['generate'], bad.dir)).code).toBe(0);
      const r = await cli(['validate', ...ALL], bad.dir, env);
      expect(r.code).toBe(1);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toContainEqual(expect.stringMatching(/^environments\/dev\/models\/broken\.yaml:\d+:\d+: LLMInferenceService\/broken: spec\.template\.containers\[0\]\.bogus: unknown field/));
      expect(lines).toContainEqual(expect.stringMatching(/^environments\/dev\/models\/broken\.yaml:\d+:\d+: LLMInferenceService\/broken: spec\.replicas: must be integer$/));
      expect(lines).toContainEqual(expect.stringMatching(/spec\.parallelism\.tensor: must match format "int32"$/));
      expect(lines.at(-2)).toMatch(/^\d+ valid, 1 invalid, 0 errors, \d+ skipped$/);
      expect(lines.at(-1)).toMatch(/^CEL: /);

      // The line/column point at the offending key in the generated file.
      const text = readFileSync(join(bad.dir, 'environments/dev/models/broken.yaml'), 'utf8').split('\n');
      const [, line, col] = /broken\.yaml:(\d+):(\d+): [^:]+: spec\.template\.containers\[0\]\.bogus/.exec(r.stdout)!;
      expect(text[Number(line) - 1]!.slice(Number(col) - 1)).toBe('bogus: 1');

      const { code, report } = await validateJson(bad.dir);
      expect(code).toBe(1);
      const broken = report.resources.find((x) => x.name === 'broken')!;
      expect(broken.status).toBe('statusInvalid');
      expect(broken.validationErrors.map((e) => e.path).sort()).toEqual(['/spec/parallelism/tensor', '/spec/replicas', '/spec/template/containers/0/bogus']);
      expect(report.summary.invalid).toBe(1);

      const junit = await cli(['validate', '--output', 'junit', ...ALL], bad.dir, env);
      expect(junit.code).toBe(1);
      expect(junit.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="llm-gitops validate" tests="(\d+)" failures="1" errors="0" skipped="\d+">/);
      expect(junit.stdout).toMatch(/<testsuite name="environments\/dev\/models\/broken\.yaml" tests="1" failures="1" errors="0" skipped="0">\n {4}<testcase name="LLMInferenceService\/broken" classname="serving\.kserve\.io\/v1alpha2 LLMInferenceService">\n {6}<failure message="3 schema violation\(s\)" type="ValidationError">[^<]*spec\.template\.containers\[0\]\.bogus: unknown field/);
      const tests = Number(/tests="(\d+)"/.exec(junit.stdout)![1]);
      expect(junit.stdout.match(/<testcase /g)!.length).toBe(tests);
      expect(tests).toBe(report.resources.length);
      expect(junit.stdout.trimEnd().endsWith('</testsuites>')).toBe(true);
    } finally {
      bad.cleanup();
    }
  });

  it('a kind without a schema is an error, never a skip (Argo CD CRDs left out of the locations)', async () => {
    const { code, report } = await validateJson(repo.dir, ['--no-default-locations', '--schema-location', KSERVE_CRDS, ...[...FLUX_CRDS, ...PREREQUISITE_CRDS].flatMap((l) => ['--schema-location', l])]);
    expect(code).toBe(1);
    const apps = report.resources.filter((x) => x.kind === 'Application');
    expect(apps.length).toBeGreaterThan(0);
    for (const a of apps) {
      expect(a.status).toBe('statusError');
      expect(a.msg).toMatch(/^no schema for Application argoproj\.io\/v1alpha1 in .*llmisvc.* or the built-in Kubernetes kinds$/);
    }
    expect(report.summary.errors).toBe(apps.length);
    expect(report.resources.filter((x) => x.status === 'statusSkipped' && x.kind === 'Application')).toEqual([]);
  });

  it('without --schema-location uses the vendored KServe and Gateway API CRDs (and downloads nothing for kinds it does not need)', async () => {
    const local = repoWith({ solo: exampleCatalogs().dev!.replace(/delivery:\n(  .*\n)+/, '') });
    try {
      expect((await cli(['vendor', '--from', KSERVE_SRC], local.dir)).code).toBe(0);
      expect((await cli(['vendor', '--prerequisite', 'gateway-api', '--from', join(UPSTREAM, 'gateway-api', 'v1.5.1')], local.dir)).code).toBe(0);
      expect((await cli(['generate'], local.dir)).code).toBe(0);
      // The shared cache holds no downloaded schema (only validate --schema-location runs use it), so a pass is not one served from an earlier download.
      expect(existsSync(join(cache, 'http'))).toBe(false);
      const r = await cli(['validate', '--output', 'json'], local.dir, env);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as JsonReport;
      expect(report.resources.filter((x) => x.kind === 'LLMInferenceService').map((x) => x.status)).toEqual(['statusValid']);
      expect(report.resources.filter((x) => x.kind.startsWith('Gateway')).map((x) => `${x.kind} ${x.status}`).sort()).toEqual(['Gateway statusValid', 'GatewayClass statusValid']);
      expect(report.summary.errors).toBe(0);
    } finally {
      local.cleanup();
    }
  });

  it('usage errors exit 2', async () => {
    expect((await cli(['validate', '--output', 'xml'], repo.dir, env)).code).toBe(2);
    const missing = await cli(['validate', '--schema-location', 'no/such/dir'], repo.dir, env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--schema-location no/such/dir: no such file or folder');
  });
});
