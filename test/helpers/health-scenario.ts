/**
 * One health scenario end to end: catalogs in a temp repository, the fake API server loaded with
 * objects, the built CLI run against it with a kubeconfig, its JSON Lines parsed.
 */
import { join } from 'node:path';
import { FakeApiServer, type FakeOptions } from './fake-apiserver.js';
import { catalogText, seedHealthy, type SeedEnv } from './health-fixtures.js';
import { cli, repoWith } from './repo.js';

export const DEV: SeedEnv = { env: 'dev', namespace: 'llm-dev', engine: 'argocd', models: ['chat', 'embed'] };
export const EDGE: SeedEnv = { env: 'edge', namespace: 'llm-edge', engine: 'flux', platform: false, models: ['small'] };

export interface Verdict {
  readonly env: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
  readonly [k: string]: unknown;
}

export interface ScenarioResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly verdicts: Verdict[];
  readonly summary: Record<string, any>;
  readonly fake: FakeApiServer;
  /** The verdict of `name` (unique across kinds in these scenarios). */
  readonly of: (name: string) => Verdict;
  readonly ms: number;
}

export interface Scenario {
  readonly envs?: readonly SeedEnv[];
  readonly catalog?: (e: SeedEnv) => string;
  /** Change the healthy cluster before the run. */
  readonly setup?: (fake: FakeApiServer) => void;
  /** Called once the CLI is running (e.g. to schedule changes). */
  readonly during?: (fake: FakeApiServer) => void;
  readonly args: readonly string[];
  readonly fakeOptions?: FakeOptions;
  /** Point the kubeconfig here instead (e.g. a closed port). */
  readonly server?: string;
  readonly token?: string;
  /** Files to write into the repository before the run (name → text). */
  readonly files?: Readonly<Record<string, string>>;
}

export async function runScenario(s: Scenario): Promise<ScenarioResult> {
  const envs = s.envs ?? [DEV];
  const repo = repoWith(Object.fromEntries(envs.map((e) => [e.env, (s.catalog ?? ((x) => catalogText(x)))(e)])));
  const fake = await FakeApiServer.start(s.fakeOptions);
  try {
    seedHealthy(fake, envs);
    s.setup?.(fake);
    if (s.files) {
      const { writeFileSync } = await import('node:fs');
      for (const [name, text] of Object.entries(s.files)) writeFileSync(join(repo.dir, name), text);
    }
    let kubeconfig = fake.writeKubeconfig(join(repo.dir, 'kubeconfig'), s.token);
    if (s.server) {
      const { readFileSync, writeFileSync } = await import('node:fs');
      writeFileSync(kubeconfig, readFileSync(kubeconfig, 'utf8').replace(fake.url, s.server));
    }
    const started = Date.now();
    const pending = cli(['health', '--kubeconfig', kubeconfig, '--output', 'json', ...s.args], repo.dir, { NO_COLOR: '1' });
    s.during?.(fake);
    const r = await pending;
    const ms = Date.now() - started;
    const records = r.stdout.trim() ? r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>) : [];
    const verdicts = records.filter((x) => x.type === 'object') as unknown as Verdict[];
    const summary = records.find((x) => x.type === 'summary') ?? {};
    const of = (name: string) => {
      const v = verdicts.find((x) => x.name === name);
      if (!v) throw new Error(`no verdict for ${name} in ${r.stdout}\n${r.stderr}`);
      return v;
    };
    return { ...r, verdicts, summary, fake, of, ms };
  } finally {
    await fake.close();
    repo.cleanup();
  }
}
