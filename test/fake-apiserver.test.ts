/**
 * The fake API server is faithful: real kubectl (v1.34, from npm) discovers the real CRDs' kinds,
 * lists them with server-side printing and pagination, gets one, and waits for a condition over
 * a watch; errors come back as Status bodies kubectl understands.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeApiServer } from './helpers/fake-apiserver.js';
import { application, llmisvc } from './helpers/health-fixtures.js';
import { kubectlPath, tempDir } from './helpers/repo.js';

const run = promisify(execFile);
const linux = process.platform === 'linux' && process.arch === 'x64';

let fake: FakeApiServer;
let tmp: { dir: string; cleanup: () => void };
let kubeconfig: string;

async function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(kubectlPath, [...args, '--cache-dir', join(tmp.dir, 'cache')], { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: tmp.dir } });
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

beforeAll(async () => {
  fake = await FakeApiServer.start();
  tmp = tempDir();
  kubeconfig = fake.writeKubeconfig(join(tmp.dir, 'kubeconfig'));
  fake.put(llmisvc('llm-dev', 'ready-one'));
  fake.put(llmisvc('llm-dev', 'broken', 'degraded'));
  for (let i = 0; i < 5; i++) fake.put(llmisvc('llm-paged', `m${i}`));
  fake.put(application('argocd', 'dev-models'));
});

afterAll(async () => {
  await fake.close();
  tmp.cleanup();
});

describe.skipIf(!linux)('real kubectl against the fake API server', () => {
  it('get -A prints the CRD printer columns through server-side printing', async () => {
    const r = await kubectl('get', 'llminferenceservices', '-A');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+NAME\s+URL\s+READY\s+REASON\s+AGE$/);
    expect(lines.find((l) => l.includes('broken'))).toMatch(/^llm-dev\s+broken\s+False\s+ProgressDeadlineExceeded\s+\d+s$/);
    expect(lines.find((l) => l.includes('ready-one'))).toMatch(/^llm-dev\s+ready-one\s+http:\/\/gateway\.example\.com\/llm-dev\/ready-one\s+True\s+\d+s$/);
    expect(lines).toHaveLength(1 + 7);
    // kubectl asked for a Table and discovered the group first.
    expect(fake.requests.some((q) => q.path === '/apis/serving.kserve.io/v1alpha2')).toBe(true);
  });

  it('the short name resolves through discovery; --chunk-size pages with continue tokens', async () => {
    const before = fake.requests.length;
    const r = await kubectl('get', 'llmisvc', '-n', 'llm-paged', '--chunk-size=2', '-o', 'name');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([0, 1, 2, 3, 4].map((i) => `llminferenceservice.serving.kserve.io/m${i}`));
    const pages = fake.requests.slice(before).filter((q) => q.path === '/apis/serving.kserve.io/v1alpha2/namespaces/llm-paged/llminferenceservices');
    expect(pages.map((p) => [p.query.limit, p.query.continue === undefined])).toEqual([['2', true], ['2', false], ['2', false]]);
  });

  it('get one object as JSON; a missing one is NotFound, a forbidden list is Forbidden', async () => {
    const one = await kubectl('get', 'application', 'dev-models', '-n', 'argocd', '-o', 'json');
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', status: { sync: { status: 'Synced' } } });
    const missing = await kubectl('get', 'application', 'nope', '-n', 'argocd');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Error from server (NotFound): applications.argoproj.io "nope" not found');
    fake.fault('/apis/argoproj.io/v1alpha1/namespaces/argocd/applications', 403);
    const denied = await kubectl('get', 'applications', '-n', 'argocd');
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('Error from server (Forbidden): applications.argoproj.io is forbidden: User "system:serviceaccount:llm-prod:llm-gitops-health" cannot list resource "applications"');
  });

  it('wait --for=condition=Ready returns when a watch event flips the object to Ready', async () => {
    fake.put(llmisvc('llm-wait', 'slow', 'progressing'));
    const flip = setTimeout(() => fake.put(llmisvc('llm-wait', 'slow', 'ready')), 700);
    const started = Date.now();
    const r = await kubectl('wait', '--for=condition=Ready', 'llminferenceservice/slow', '-n', 'llm-wait', '--timeout=10s');
    clearTimeout(flip);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('llminferenceservice.serving.kserve.io/slow condition met');
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(fake.requests.some((q) => q.watch && q.path.endsWith('/namespaces/llm-wait/llminferenceservices') && q.query.fieldSelector === 'metadata.name=slow')).toBe(true);
  });

  it('wait times out when the condition never comes', async () => {
    const r = await kubectl('wait', '--for=condition=Ready', 'llminferenceservice/broken', '-n', 'llm-dev', '--timeout=1s');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('timed out waiting for the condition on llminferenceservices/broken');
  });
});

describe('protocol details kubectl does not exercise', () => {
  it('a watch from a compacted resourceVersion gets an ERROR event with 410 Expired; a live watch streams changes', async () => {
    const old = Number(fake.store.resourceVersion);
    fake.put(llmisvc('llm-watch', 'w'));
    fake.store.compact();
    const url = `${fake.url}/apis/serving.kserve.io/v1alpha2/namespaces/llm-watch/llminferenceservices?watch=true&resourceVersion=${old}`;
    const gone = await (await fetch(url)).text();
    expect(JSON.parse(gone.trim())).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });

    const live = await fetch(`${fake.url}/apis/serving.kserve.io/v1alpha2/namespaces/llm-watch/llminferenceservices?watch=true&resourceVersion=${fake.store.resourceVersion}`);
    const reader = live.body!.getReader();
    fake.put(llmisvc('llm-watch', 'w', 'degraded'));
    const { value } = await reader.read();
    await reader.cancel();
    const event = JSON.parse(new TextDecoder().decode(value).trim().split('\n')[0]!);
    expect(event).toMatchObject({ type: 'MODIFIED', object: { metadata: { name: 'w' }, status: { conditions: expect.any(Array) } } });
  });

  it('a wrong token is 401 with a Status body; an expired continue token is 410; lists carry resourceVersion', async () => {
    const r401 = await fetch(`${fake.url}/apis/argoproj.io/v1alpha1/namespaces/argocd/applications`, { headers: { authorization: 'Bearer wrong' } });
    expect(r401.status).toBe(401);
    expect(await r401.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    const page = (await (await fetch(`${fake.url}/apis/serving.kserve.io/v1alpha2/namespaces/llm-paged/llminferenceservices?limit=2`)).json()) as { metadata: { continue: string; resourceVersion: string; remainingItemCount: number } };
    expect(page.metadata).toMatchObject({ remainingItemCount: 3, resourceVersion: expect.stringMatching(/^\d+$/) });
    fake.store.compact();
    const expired = await fetch(`${fake.url}/apis/serving.kserve.io/v1alpha2/namespaces/llm-paged/llminferenceservices?limit=2&continue=${page.metadata.continue}`);
    expect(expired.status).toBe(410);
    expect(await expired.json()).toMatchObject({ reason: 'Expired', code: 410 });
  });
});
