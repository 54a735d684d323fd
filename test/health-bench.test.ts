/**
 * Benchmark (skipped unless LLM_GITOPS_BENCH=1; run by scripts/bench-health.mjs): one `health`
 * round for 1,000 models in 10 namespaces against the fake API server, beside
 * `kubectl wait --for=condition=Ready llminferenceservice --all -A` on the same server.
 * Writes its figures as JSON to $LLM_GITOPS_BENCH_OUT.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { connect } from '../generator/src/cluster/client.js';
import { assessRound } from '../generator/src/health/assess.js';
import { listKey, type ListOutcome } from '../generator/src/health/observation.js';
import { listRequests, planHealth } from '../generator/src/health/plan.js';
import { loadRepository } from '../generator/src/catalog/repository.js';
import { readCatalogs, listEnvironments } from '../generator/src/disk/files.js';
import { writeBenchRepo } from '../scripts/bench-catalogs.mjs';
import { FakeApiServer } from './helpers/fake-apiserver.js';
import { benchSeedEnvs, seedHealthy } from './helpers/health-fixtures.js';
import { CLI, kubectlPath, tempDir } from './helpers/repo.js';

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const benchEnvs = () => benchSeedEnvs(100);

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = process.hrtime.bigint();
  const r = await fn();
  return [Number(process.hrtime.bigint() - t) / 1e6, r];
}

describe.skipIf(!process.env.LLM_GITOPS_BENCH)('health benchmark', () => {
  it('one round for 1,000 models vs kubectl wait --all -A', async () => {
    const tmp = tempDir();
    const fake = await FakeApiServer.start();
    try {
      writeBenchRepo(tmp.dir, { envs: 10, models: 100 });
      seedHealthy(fake, benchEnvs());
      const kubeconfig = fake.writeKubeconfig(join(tmp.dir, 'kubeconfig'));

      // In-process: list + assess, the work of one poll round (the client is connected once per run).
      const loaded = loadRepository(await readCatalogs(tmp.dir, await listEnvironments(tmp.dir)));
      if (!loaded.ok) throw new Error('bench catalogs do not load');
      const plan = planHealth(loaded.value.environments);
      const reader = connect({ kubeconfig });
      const roundMs: number[] = [];
      for (let i = 0; i < RUNS + 1; i++) {
        const [ms, verdicts] = await timed(async () => {
          const lists = new Map<string, ListOutcome>();
          await Promise.all(listRequests(plan).map(async (r) => lists.set(listKey(r.kind.kind, r.namespace), await reader.list(r.kind, r.namespace))));
          return assessRound(plan, { lists, requests: 0 }, { now: Date.now(), progressDeadlineMs: 900_000 }).verdicts;
        });
        expect(verdicts.filter((v) => v.status === 'Healthy')).toHaveLength(1030 + benchEnvs().reduce((n, e) => n + e.prerequisites!.length, 0));
        if (i > 0) roundMs.push(ms); // the first warms the JIT and the connection
      }

      // The CLI as CI runs it: a fresh process, catalogs loaded, one round, JSON out.
      const cliMs: number[] = [];
      let cliRequests = 0;
      for (let i = 0; i < RUNS; i++) {
        const before = fake.dataRequests.length;
        const [ms, r] = await timed(() => run(process.execPath, [CLI, 'health', '--once', '--output', 'json', '--kubeconfig', kubeconfig], { cwd: tmp.dir, maxBuffer: 1 << 26 }));
        expect(r.stdout).toContain('"result":"healthy"');
        cliMs.push(ms);
        cliRequests = fake.dataRequests.length - before;
      }

      // kubectl: discovery, then for each object one list + one watch, one object after the other.
      // It may run out of time: its exit code is not the point, how far it got is.
      const kubectlTimeout = process.env.BENCH_KUBECTL_TIMEOUT ?? '60s';
      const before = fake.requests.length;
      const [kubectlMs, out] = await timed(() =>
        run(kubectlPath, ['wait', '--for=condition=Ready', 'llminferenceservice', '--all', '-A', `--timeout=${kubectlTimeout}`, '--cache-dir', join(tmp.dir, 'cache')], {
          env: { ...process.env, KUBECONFIG: kubeconfig, HOME: tmp.dir },
          maxBuffer: 1 << 26,
        }).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? '', stderr: e.stderr ?? '' })),
      );
      const kubectlConfirmed = out.stdout.split('\n').filter((l) => l.endsWith('condition met')).length;
      const kubectlRequests = fake.requests.length - before;

      const figures = {
        models: 1000,
        namespaces: 10,
        runs: RUNS,
        healthRoundMs: median(roundMs),
        healthCliMs: median(cliMs),
        healthRequests: cliRequests,
        kubectlTimeout,
        kubectlWaitMs: kubectlMs,
        kubectlConfirmed,
        kubectlRequests,
      };
      if (process.env.LLM_GITOPS_BENCH_OUT) writeFileSync(process.env.LLM_GITOPS_BENCH_OUT, JSON.stringify(figures, null, 2));
      console.log(figures);
    } finally {
      await fake.close();
      tmp.cleanup();
    }
  });
});
