/**
 * `health` reads the prerequisite units too: the Applications / Kustomizations `<env>-<unit id>`
 * the tree delivers before the platform (cert-manager, Gateway API, Envoy Gateway, the Gateway),
 * in sync order after the root. A chart unit synced from a registry is at a chart version, never
 * at a commit, so `--expect-revision` judges only the units synced from this repository. The
 * built CLI against the fake API server, as the other health scenarios.
 */
import { describe, expect, it } from 'vitest';
import { application, kustomization, NEW_SHA, OLD_SHA } from './helpers/health-fixtures.js';
import { runScenario } from './helpers/health-scenario.js';
import type { SeedEnv } from './helpers/health-fixtures.js';

/** Standalone with a direct-routed model: the tree installs cert-manager, Gateway API, Envoy Gateway and the Gateway. */
const ARGO: SeedEnv = { env: 'dev', namespace: 'llm-dev', engine: 'argocd', models: ['chat'] };
const FLUX: SeedEnv = { env: 'edge', namespace: 'llm-edge', engine: 'flux', models: ['small'] };
const catalog = (e: SeedEnv) => `namespace: ${e.namespace}
platform: { mode: standalone }
delivery: { engine: ${e.engine}, repoURL: https://git.example.com/llm-gitops.git }
models:
${e.models.map((m) => `  ${m}: { uri: hf://org/${m}, accelerator: cpu, router: direct }`).join('\n')}
`;
const UNITS = ['cert-manager', 'envoy-gateway-crds', 'gateway-api', 'envoy-gateway', 'gateway'];
const CHARTS: Record<string, string> = { 'cert-manager': 'v1.17.0', 'envoy-gateway-crds': 'v1.8.1', 'envoy-gateway': 'v1.8.1' };

describe.concurrent('health reads the prerequisite units', () => {
  it('Argo CD: each unit in sync order after the root; a Degraded one fails the run; chart units need not be at the commit', async () => {
    const r = await runScenario({
      envs: [ARGO],
      catalog,
      setup: (f) => {
        // Chart units report their chart version as the revision (Argo CD's sync.revision for a Helm source).
        for (const u of UNITS) f.put(application('argocd', `dev-${u}`, { ...(CHARTS[u] ? { revision: CHARTS[u] } : {}), ...(u === 'envoy-gateway' ? { health: 'Degraded' } : {}) }));
      },
      args: ['--once', '--expect-revision', NEW_SHA],
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.verdicts.filter((v) => v.kind === 'Application').map((v) => `${v.name} ${v.status}`)).toEqual([
      'dev-delivery Healthy',
      'dev-cert-manager Healthy',
      'dev-envoy-gateway-crds Healthy',
      'dev-gateway-api Healthy',
      'dev-envoy-gateway Degraded',
      'dev-gateway Healthy',
      'dev-platform Healthy',
      'dev-models Healthy',
    ]);
    expect(r.of('dev-envoy-gateway')).toMatchObject({ reason: 'HealthDegraded', message: expect.stringContaining('Synced to v1.8.1 but Degraded') });
    // A chart unit at its chart version is not "behind the commit"; a git path unit carries the revision check.
    expect(r.of('dev-cert-manager')).toMatchObject({ status: 'Healthy', revision: 'v1.17.0' });
    expect(r.of('dev-cert-manager').revisionMatch).toBeUndefined();
    expect(r.of('dev-gateway-api')).toMatchObject({ status: 'Healthy', expectedRevision: NEW_SHA, revisionMatch: true });
  });

  it('Argo CD: a missing unit is Missing, a git path unit behind the commit is Stale', async () => {
    const r = await runScenario({
      envs: [ARGO],
      catalog,
      setup: (f) => {
        for (const u of UNITS.filter((x) => x !== 'cert-manager')) f.put(application('argocd', `dev-${u}`, CHARTS[u] ? { revision: CHARTS[u] } : u === 'gateway' ? { revision: OLD_SHA } : {}));
      },
      args: ['--once', '--expect-revision', NEW_SHA, '--pushed-at', String(Math.floor(Date.now() / 1000) - 3600)],
    });
    expect(r.code).toBe(1);
    expect(r.of('dev-cert-manager')).toMatchObject({ status: 'Missing', reason: 'NotFound' });
    expect(r.of('dev-gateway')).toMatchObject({ status: 'Stale', reason: 'RevisionBehind', revisionMatch: false });
    expect(r.of('dev-envoy-gateway')).toMatchObject({ status: 'Healthy' });
  });

  it('Flux: the unit Kustomizations are read; one not Ready fails the run, the rest Healthy', async () => {
    const r = await runScenario({
      envs: [FLUX],
      catalog,
      setup: (f) => {
        for (const u of UNITS) f.put(kustomization('flux-system', `edge-${u}`, u === 'gateway' ? { ready: 'False', reason: 'HealthCheckFailed', message: 'Gateway/kserve/kserve-ingress-gateway not Programmed' } : {}));
      },
      args: ['--once', '--expect-revision', NEW_SHA],
    });
    expect(r.code).toBe(1);
    expect(r.verdicts.filter((v) => v.kind === 'Kustomization').map((v) => `${v.name} ${v.status}`)).toEqual([
      'edge-delivery Healthy',
      'edge-cert-manager Healthy',
      'edge-envoy-gateway-crds Healthy',
      'edge-gateway-api Healthy',
      'edge-envoy-gateway Healthy',
      'edge-gateway Degraded',
      'edge-platform Healthy',
      'edge-models Healthy',
    ]);
    expect(r.of('edge-gateway')).toMatchObject({ reason: 'HealthCheckFailed' });
    expect(r.of('edge-gateway').message).toContain('not Programmed');
    // Flux applies every unit from the GitRepository: each carries the commit check, charts included.
    expect(r.of('edge-cert-manager')).toMatchObject({ revisionMatch: true });
  });
});
