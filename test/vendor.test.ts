/**
 * vendor: from a checkout, a tarball and a URL (loopback HTTP); idempotent; tampering is caught
 * by check; vendored trees build with real kustomize.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tar from 'tar';
import { cli, exampleCatalogs, KSERVE_SRC, repoWith, snapshot, tempDir, PREREQUISITE_VENDOR_ARGS } from './helpers/repo.js';

let tarball: string;
let tmp: { dir: string; cleanup: () => void };
let server: Server;
let url: string;

beforeAll(async () => {
  tmp = tempDir();
  tarball = join(tmp.dir, 'kserve-0.20.0.tar.gz');
  // The shape of a GitHub release tarball: one top folder holding config/.
  await tar.c({ gzip: true, file: tarball, cwd: join(KSERVE_SRC, '..'), portable: true }, ['v0.20.0/config', 'v0.20.0/LICENSE']);
  const body = readFileSync(tarball);
  server = createServer((req, res) => {
    if (req.url === '/kserve/archive/refs/tags/v0.20.0.tar.gz') res.writeHead(200, { 'content-type': 'application/gzip' }).end(body);
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  url = `http://127.0.0.1:${addr.port}/kserve/archive/refs/tags/v0.20.0.tar.gz`;
});
afterAll(() => {
  server?.close();
  tmp?.cleanup();
});

const vendorTree = (dir: string) => new Map([...snapshot(dir)].filter(([p]) => p.startsWith('base/vendor/')));

describe('vendor', () => {
  it('from a checkout, a tarball and a URL gives the same bytes; a second run changes nothing', async () => {
    const trees = [];
    for (const from of [KSERVE_SRC, join(KSERVE_SRC, 'config'), tarball, url]) {
      const repo = repoWith(exampleCatalogs(true));
      try {
        const r = await cli(['vendor', '--from', from], repo.dir);
        expect(r.code, r.stderr).toBe(0);
        const again = await cli(['vendor', '--from', from], repo.dir);
        expect(again.stdout).toContain('up to date: nothing to change');
        trees.push(vendorTree(repo.dir));
      } finally {
        repo.cleanup();
      }
    }
    expect(trees[0]!.size).toBeGreaterThan(30);
    for (const t of trees.slice(1)) expect(t).toEqual(trees[0]);
    const lock = JSON.parse(trees[0]!.get('base/vendor/kserve/v0.20.0/vendor.lock.json')!);
    expect(lock.kserve).toBe('v0.20.0');
    expect(lock.files['config/crd/full/llmisvc/serving.kserve.io_llminferenceservices.yaml']).toMatch(/^[0-9a-f]{64}$/);
    expect(lock.files['config/runtimes/kustomization.yaml']).toBeUndefined(); // only what base/ reaches
  });

  it('check reports a tampered, a missing and an extra vendored file', async () => {
    const repo = repoWith(exampleCatalogs(true));
    try {
      await cli(['vendor', '--from', KSERVE_SRC], repo.dir);
      for (const args of PREREQUISITE_VENDOR_ARGS) await cli(args, repo.dir);
      await cli(['generate'], repo.dir);
      expect((await cli(['check'], repo.dir)).code).toBe(0);
      const v = join(repo.dir, 'base/vendor/kserve/v0.20.0');
      appendFileSync(join(v, 'config/llmisvc/manager.yaml'), '# sneaky\n');
      rmSync(join(v, 'config/llmisvc/service.yaml'));
      writeFileSync(join(v, 'config/llmisvc/extra.yaml'), 'x: 1\n');
      const r = await cli(['check'], repo.dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('base/vendor/kserve/v0.20.0/config/llmisvc/manager.yaml: does not match its sha256 in vendor.lock.json');
      expect(r.stderr).toContain('base/vendor/kserve/v0.20.0/config/llmisvc/service.yaml: is listed in vendor.lock.json but missing');
      expect(r.stderr).toContain('base/vendor/kserve/v0.20.0/config/llmisvc/extra.yaml: is not in vendor.lock.json');
      // vendor repairs it
      await cli(['vendor', '--from', KSERVE_SRC], repo.dir);
      expect((await cli(['check'], repo.dir)).code).toBe(0);
    } finally {
      repo.cleanup();
    }
  });

  it('generate refuses a vendored catalog before vendor ran; bad sources fail cleanly', async () => {
    const repo = repoWith(exampleCatalogs(true));
    try {
      const before = snapshot(repo.dir);
      const g = await cli(['generate'], repo.dir);
      expect(g.code).toBe(1);
      expect(g.stderr).toContain('environments/dev/catalog.yaml: platform.source: is vendored, but base/vendor/kserve/v0.20.0 has no vendor.lock.json');
      const missing = await cli(['vendor', '--from', join(repo.dir, 'nope')], repo.dir);
      expect(missing.code).toBe(2);
      const notKserve = await cli(['vendor', '--from', join(repo.dir, 'environments')], repo.dir);
      expect(notKserve.code).toBe(1);
      expect(notKserve.stderr).toContain('is not a KServe source');
      const http404 = await cli(['vendor', '--from', url.replace('v0.20.0.tar', 'v9.tar')], repo.dir);
      expect(http404.code).toBe(1);
      expect(http404.stderr).toContain('download failed: HTTP 404');
      expect(snapshot(repo.dir)).toEqual(before);
    } finally {
      repo.cleanup();
    }
  });
});
