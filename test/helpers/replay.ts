/**
 * The sync-replay harness (test/replay*.test.ts): real `kubectl apply --server-side` steps against
 * the fake API server, which serves only what has been registered (built-in kinds, each CRD's
 * kinds once the CRD is applied, namespaced objects only in namespaces that exist).
 *
 * Helm-chart units are represented by what they install that later units depend on:
 * cert-manager's CRDs and Envoy Gateway's CRDs from ../shared (chart units whose content nothing
 * later needs — the controllers, the AI gateway, KEDA — contribute only their namespace).
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { FakeApiServer } from './fake-apiserver.js';
import { kubectlPath, tempDir, UPSTREAM } from './repo.js';

const run = promisify(execFile);
export type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export const docs = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJSON() as Obj).filter(Boolean);

export const crdsIn = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => parse(readFileSync(join(dir, f), 'utf8')) as Obj);
/** What a chart unit installs that later units depend on (by chart name). */
export const CHART_CONTENT: Record<string, () => Obj[]> = {
  'cert-manager': () => crdsIn(join(UPSTREAM, 'cert-manager', 'v1.17.0', 'deploy', 'crds')),
  'gateway-crds-helm': () => crdsIn(join(UPSTREAM, 'envoy-gateway', 'v1.8.1', 'charts', 'gateway-helm', 'charts', 'crds', 'crds', 'generated')),
};

export interface Step {
  /** The unit (Application / Kustomization) the step belongs to. */
  readonly app: string;
  readonly label: string;
  readonly objects: Obj[];
}

export async function kubectlApply(fake: FakeApiServer, dir: string, objects: Obj[], i: number): Promise<{ code: number; out: string }> {
  const file = join(dir, `step-${i}.yaml`);
  writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
  const kubeconfig = fake.writeKubeconfig(join(dir, 'kubeconfig'));
  try {
    // A fresh discovery cache per step: kubectl must rediscover what the last step registered.
    const { stdout, stderr } = await run(kubectlPath, ['apply', '--server-side', '--validate=false', '-f', file, '--cache-dir', join(dir, `cache-${i}`)], { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir }, maxBuffer: 64 << 20 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, out: (err.stdout ?? '') + (err.stderr ?? '') };
  }
}

/** Applies `pre` (what the cluster already has), then each step; stops at the first that fails. */
export async function replay(steps: readonly Step[], pre: Obj[]): Promise<{ failed?: { step: Step; out: string }; applied: string[] }> {
  const fake = await FakeApiServer.start({ apply: true });
  const t = tempDir('llm-gitops-replay-');
  try {
    const first = await kubectlApply(fake, t.dir, pre, 999);
    if (first.code !== 0) throw new Error(`pre-installing what the cluster already has failed: ${first.out}`);
    for (const [i, step] of steps.entries()) {
      const r = await kubectlApply(fake, t.dir, step.objects, i);
      if (r.code !== 0) return { failed: { step, out: r.out }, applied: fake.applying!.applied };
    }
    return { applied: fake.applying!.applied };
  } finally {
    await fake.close();
    t.cleanup();
  }
}
