/**
 * `health` against a hostile API server (issue 7): the built CLI, a raw server on 127.0.0.1 that
 * misbehaves in one way per test, short deadlines. Every run must end with exit 3 within a few
 * seconds of its deadline, say which limit tripped, and never print the bearer token (or the
 * password of the server URL) in any output format or on stderr.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { redactor } from '../generator/src/cluster/redact.js';
import { FakeApiServer } from './helpers/fake-apiserver.js';
import { HostileServer, type Hostility } from './helpers/fake-apiserver-hostile.js';
import { catalogText, seedHealthy, type SeedEnv } from './helpers/health-fixtures.js';
import { cli, repoWith } from './helpers/repo.js';

const TOKEN = 'sekrit-bearer-0123456789abcdef';
const PASSWORD = 'hunter2-p4ssw0rd';
const ENV: SeedEnv = { env: 'dev', namespace: 'llm-dev', engine: 'none', models: ['chat'] };
const FORMATS = ['table', 'json', 'junit', 'prometheus'] as const;

function writeKubeconfig(dir: string, server: string, user: Record<string, unknown> = { token: TOKEN }, name = 'kubeconfig'): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  return path;
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** When the process had exited (ms since epoch). */
  readonly endedAt: number;
  readonly all: string;
}

async function health(dir: string, kubeconfig: string, args: readonly string[]): Promise<Run> {
  const started = Date.now();
  const r = await cli(['health', '--kubeconfig', kubeconfig, ...args], dir, { NO_COLOR: '1' });
  const endedAt = Date.now();
  return { ...r, ms: endedAt - started, endedAt, all: r.stdout + r.stderr };
}

/** One hostile mode: repository + server + kubeconfig → the run, then everything closed. */
async function against(mode: Hostility, args: readonly string[], user?: Record<string, unknown>): Promise<Run & { server: HostileServer }> {
  const repo = repoWith({ dev: catalogText(ENV) });
  const server = await HostileServer.start(mode);
  try {
    const r = await health(repo.dir, writeKubeconfig(repo.dir, server.url, user), args);
    return { ...r, server };
  } finally {
    await server.close();
    repo.cleanup();
  }
}

/**
 * "Ended within a few seconds of the deadline", measured from the first request the server saw
 * (the run's clock started a little before it) to the exit of the process — so the start-up of
 * a fresh node process on a busy 2-core machine does not count, its exit does.
 */
const SLACK_MS = 6000;

/** The run's own figure (from its start to its report; plan loading included), which load stretches less. */
function duration(r: Run): number {
  return JSON.parse(r.stdout.trim().split('\n').pop()!).durationSeconds;
}
const sinceFirstRequest = (r: Run & { server: HostileServer }) => r.endedAt - r.server.arrivals[0]!.at;

function expectUnchecked(r: Run, kind: RegExp): void {
  expect(r.code, r.all).toBe(3);
  expect(r.stderr).toMatch(kind);
  expect(r.all).not.toContain(TOKEN);
}

describe('redactor', () => {
  it('masks known secrets, URL userinfo, credential headers and token formats; leaves other text alone', () => {
    const redact = redactor([TOKEN]);
    expect(redact(`request had Authorization: Bearer ${TOKEN}`)).toBe('request had Authorization: [redacted]');
    expect(redact(`x ${encodeURIComponent(TOKEN)} y`)).toBe('x [redacted] y');
    expect(redact('dial https://admin:pw@10.0.0.1:6443/api failed')).toBe('dial https://[redacted]@10.0.0.1:6443/api failed');
    expect(redact('Cookie: session=abc; other=1')).toBe('Cookie: [redacted]');
    expect(redact('?token=abcdef123&x=1 and bearer eyJhbGciOi')).toBe('?token=[redacted]&x=1 and bearer [redacted]');
    expect(redact('saw ghp_0123456789abcdefghij0123 and hf_abcdefghijklmnopqrstuvwx')).toBe('saw [redacted] and [redacted]');
    expect(redact('MainWorkloadReady is False: ReplicaSet "chat" has timed out progressing.')).toBe('MainWorkloadReady is False: ReplicaSet "chat" has timed out progressing.');
  });
});

describe.concurrent('health against a hostile API server', () => {
  it('an endless continue token: the page cap ends the list, exit 3, few requests', async () => {
    const r = await against({ kind: 'endless-continue' }, ['--once', '--timeout', '20s', '--max-pages', '30']);
    expectUnchecked(r, /too many pages: list llminferenceservices.serving.kserve.io in namespace llm-dev — still not complete after 30 pages/);
    expect(r.server.arrivals.length).toBe(30);
  });

  it('the same continue token twice: a pagination loop, exit 3 at once', async () => {
    const r = await against({ kind: 'repeated-continue' }, ['--once', '--timeout', '20s']);
    expectUnchecked(r, /pagination loop: .*same continue token twice/);
    expect(r.server.arrivals.length).toBe(2);
  });

  it('silence (the --timeout 10s of the issue): exit 3 at the deadline, not after 4 tries × 30 s', async () => {
    const r = await against({ kind: 'silence' }, ['--once', '--timeout', '10s', '--output', 'json']);
    expectUnchecked(r, /deadline passed: list llminferenceservices/);
    expect(r.ms).toBeGreaterThanOrEqual(10_000);
    expect(sinceFirstRequest(r)).toBeLessThan(10_000 + SLACK_MS);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ exitCode: 3, result: 'unchecked' });
    expect(duration(r)).toBeGreaterThanOrEqual(10);
    expect(duration(r)).toBeLessThan(14);
  });

  it('one byte a second: the deadline cuts the body mid-stream, exit 3', async () => {
    // 5 s: long enough that even a slow start-up reaches the server before the deadline.
    const r = await against({ kind: 'slow-body' }, ['--once', '--timeout', '5s', '--output', 'json']);
    expectUnchecked(r, /deadline passed: .*the deadline passed while waiting for the answer/);
    expect(r.server.arrivals.length, 'the run never reached the server').toBeGreaterThan(0);
    expect(duration(r)).toBeGreaterThanOrEqual(5);
    expect(duration(r)).toBeLessThan(9);
    expect(sinceFirstRequest(r)).toBeLessThan(5000 + SLACK_MS);
  });

  it('a page that never ends: the size cap aborts while streaming, exit 3, little was read', async () => {
    const r = await against({ kind: 'huge-page' }, ['--once', '--timeout', '20s', '--max-response', '2Mi']);
    expectUnchecked(r, /response too large: list llminferenceservices.* more than the 2 MiB response cap/);
    // The server got to write little more than the cap (socket buffers), never hundreds of MB.
    expect(r.server.bytesSent).toBeLessThan(64 << 20);
    expect(sinceFirstRequest(r)).toBeLessThan(10_000);
  });

  it('a 5xx that echoes the request headers: retried, exit 3, the token appears in no output format', async () => {
    const runs = await Promise.all(FORMATS.map((output) => against({ kind: 'echo-5xx' }, ['--once', '--timeout', '20s', '--output', output])));
    for (const r of runs) {
      expectUnchecked(r, /API server error: list llminferenceservices/);
      expect(r.server.arrivals[0]?.authorization).toBe(`Bearer ${TOKEN}`); // it was sent, and echoed back
      expect(r.stderr).toContain('authorization: [redacted]');
    }
  });

  it('a redirect to another port of the same host: refused, the token never reaches the other port', async () => {
    const other = await HostileServer.start({ kind: 'ok' });
    try {
      const r = await against({ kind: 'redirect', location: (req) => `http://127.0.0.1:${other.port}${req.url}` }, ['--once', '--timeout', '20s']);
      expectUnchecked(r, new RegExp(`redirect refused: .*answered 302 \\(a redirect to http://127.0.0.1:${other.port}/`));
      expect(other.arrivals).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('a redirect to another host: its answer is never trusted (no verdict from it), exit 3', async () => {
    const r = await against({ kind: 'redirect', location: () => 'http://evil.example.com/apis/x' }, ['--once', '--timeout', '20s', '--output', 'json']);
    expectUnchecked(r, /redirect refused: .*evil\.example\.com.*never followed/);
    const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(records.filter((x) => x.type === 'object')).toEqual([]);
  });

  it('a hanging exec credential plugin: killed at the deadline, exit 3', async () => {
    const repo = repoWith({ dev: catalogText(ENV) });
    const server = await HostileServer.start({ kind: 'ok' });
    try {
      const script = join(repo.dir, 'hang.mjs');
      const pidFile = join(repo.dir, 'plugin.pid');
      writeFileSync(script, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(pidFile)}, String(process.pid));\nsetInterval(() => {}, 1000);\n`);
      const kc = writeKubeconfig(repo.dir, server.url, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [script], interactiveMode: 'Never' } });
      const r = await health(repo.dir, kc, ['--once', '--timeout', '2s', '--output', 'json']);
      expectUnchecked(r, /deadline passed: .*credential plugin ".*" did not finish before the deadline \(killed\)/);
      expect(server.arrivals).toEqual([]); // no anonymous request instead
      expect(existsSync(pidFile)).toBe(true);
      expect(r.endedAt - statSync(pidFile).mtimeMs).toBeLessThan(2000 + SLACK_MS);
      expect(duration(r)).toBeLessThan(6);
      const pid = Number(readFileSync(pidFile, 'utf8'));
      expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    } finally {
      await server.close();
      repo.cleanup();
    }
  });

  it('a kubeconfig server URL with a password: masked in every output format and on stderr', async () => {
    const repo = repoWith({ dev: catalogText(ENV) });
    try {
      // Port 9 on loopback: nothing listens there.
      const kc = writeKubeconfig(repo.dir, `http://admin:${PASSWORD}@127.0.0.1:9`);
      const runs = await Promise.all(FORMATS.map((output) => health(repo.dir, kc, ['--once', '--timeout', '20s', '--output', output])));
      for (const r of runs) {
        expect(r.code, r.all).toBe(3);
        expect(r.stderr).toContain('http://[redacted]@127.0.0.1:9');
        expect(r.all).not.toContain(PASSWORD);
        expect(r.all).not.toContain(TOKEN);
      }
    } finally {
      repo.cleanup();
    }
  });
});

describe.concurrent('kubeconfig fields', () => {
  async function withFake(user: (dir: string) => Record<string, unknown>, args: readonly string[] = ['--once', '--timeout', '20s']) {
    const repo = repoWith({ dev: catalogText(ENV) });
    const fake = await FakeApiServer.start({ token: TOKEN, anonymous: false });
    try {
      seedHealthy(fake, [ENV]);
      return { ...(await health(repo.dir, writeKubeconfig(repo.dir, fake.url, user(repo.dir)), args)), fake };
    } finally {
      await fake.close();
      repo.cleanup();
    }
  }

  it("tokenFile (kubectl's spelling) is read, not ignored: the request carries the token", async () => {
    const r = await withFake((dir) => {
      writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
      return { tokenFile: 'token' }; // relative to the kubeconfig, as kubectl resolves it
    });
    expect(r.code, r.all).toBe(0);
    expect(r.fake.requests.map((q) => q.status)).toEqual([200]);
  });

  it('an exec plugin that answers: its token is used, and never printed', async () => {
    const r = await withFake((dir) => {
      const script = join(dir, 'plugin.mjs');
      writeFileSync(script, `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: ${JSON.stringify(TOKEN)} } }));\n`);
      return { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [script] } };
    });
    expect(r.code, r.all).toBe(0);
    expect(r.all).not.toContain(TOKEN);
  });

  it('fields that are not implemented are errors naming the field and the fix, before any request', async () => {
    const r = await withFake(() => ({ clientCertificate: '/tmp/c.pem', 'auth-provider': { name: 'oidc' }, 'as-groups': ['admins'] }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/users\[0\] \(u\)\.user\.clientCertificate: not a kubeconfig field — did you mean "client-certificate"\?/);
    expect(r.stderr).toMatch(/users\[0\] \(u\)\.user\.auth-provider: auth-provider plugins were removed in kubectl 1\.26 — use an exec credential plugin/);
    expect(r.stderr).toMatch(/users\[0\] \(u\)\.user\.as-groups: impersonating groups is not supported/);
    expect(r.fake.requests).toEqual([]);
  });

  it('no kubeconfig at all: said once, naming where it looked, exit 2, no request to localhost:8080', async () => {
    const repo = repoWith({ dev: catalogText(ENV) });
    try {
      const env = { HOME: repo.dir, KUBECONFIG: '', KUBERNETES_SERVICE_HOST: '', KUBERNETES_SERVICE_PORT: '' };
      for (const command of [['health', '--once', '--timeout', '5s'], ['preflight', '--timeout', '5s']]) {
        const r = await cli(command, repo.dir, env);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr.match(/no kubeconfig found/g)).toHaveLength(1);
        expect(r.stderr).toContain(`looked in $KUBECONFIG (unset), ${join(repo.dir, '.kube', 'config')}`);
        expect(r.stdout + r.stderr).not.toContain('localhost:8080');
      }
    } finally {
      repo.cleanup();
    }
  });
});
