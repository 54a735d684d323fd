/** `vendor --from <URL>` without a network says why the download failed and how to vendor without one. */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, exampleCatalogs, repoWith, snapshot } from './helpers/repo.js';

let t: { dir: string; cleanup: () => void } | undefined;
afterEach(() => t?.cleanup());

/** A local port nothing listens on: taken from the OS, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

describe('vendor --from <URL> offline', () => {
  it('names the refused connection and the local --from to use instead; nothing changes', async () => {
    t = repoWith(exampleCatalogs(true));
    const before = snapshot(t.dir);
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/kserve-0.20.0.tar.gz`;
    const r = await cli(['vendor', '--from', url], t.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `${url}: download failed: 127.0.0.1:${port} refused the connection (ECONNREFUSED) — without network, download the release tarball elsewhere (https://github.com/kserve/kserve/archive/refs/tags/v0.20.0.tar.gz) and pass \`--from <the .tar.gz or a kserve checkout>\`\n`,
    );
    expect(snapshot(t.dir)).toEqual(before);
    // A host no resolver knows (.invalid is reserved): the name, and the same way out.
    const dns = await cli(['vendor', '--from', 'https://kserve.invalid/v0.20.0.tar.gz'], t.dir);
    expect(dns.code).toBe(1);
    expect(dns.stderr).toMatch(/^https:\/\/kserve\.invalid\/v0\.20\.0\.tar\.gz: download failed: cannot resolve host kserve\.invalid \((ENOTFOUND|EAI_AGAIN)\) — without network, .* pass `--from <the \.tar\.gz or a kserve checkout>`\n$/);
    expect(snapshot(t.dir)).toEqual(before);
  });
});
