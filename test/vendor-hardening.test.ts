/**
 * Attacks on `vendor`: a tarball that declares a 2 GiB entry (a gzip bomb), an oversized file
 * under config/, links in a tarball or in a checkout pointing outside the source, and a
 * --version that is a path. Each ends quickly with a clear error, vendors nothing, and writes
 * nothing outside the repository; `vendor --version TAG` is vendor's own option.
 */
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tar from 'tar';
import { cli, exampleCatalogs, KSERVE_SRC, repoWith, snapshot, tempDir } from './helpers/repo.js';

let t: { dir: string; cleanup: () => void };
let outside: string;
const SECRET = 'outside-the-source: must never be vendored\n';

beforeAll(() => {
  t = tempDir();
  outside = join(t.dir, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.yaml'), SECRET);
});
afterAll(() => t?.cleanup());

/** A ustar header for one entry of `size` bytes (the body need not follow: the header is refused). */
function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

async function vendorFrom(from: string, extra: string[] = []) {
  const repo = repoWith(exampleCatalogs(true));
  const out = snapshot(outside);
  const started = Date.now();
  const r = await cli(['vendor', '--from', from, ...extra], repo.dir);
  const result = { ...r, ms: Date.now() - started, vendored: existsSync(join(repo.dir, 'base', 'vendor')), tree: snapshot(repo.dir) };
  expect(snapshot(outside)).toEqual(out);
  repo.cleanup();
  return result;
}

describe('vendor refuses hostile sources', () => {
  it('a tarball declaring a 2 GiB entry is refused at its header, in seconds', async () => {
    const file = join(t.dir, 'bomb.tar.gz');
    writeFileSync(file, gzipSync(Buffer.concat([header('kserve-0.20.0/docs/huge.bin', 2 * 1024 ** 3), Buffer.alloc(4096)])));
    const r = await vendorFrom(file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unpacks to more than 1024 MiB');
    expect(r.ms).toBeLessThan(10_000);
    expect(r.vendored).toBe(false);
  });

  it('an oversized file under config/ is refused', async () => {
    const file = join(t.dir, 'big-entry.tar.gz');
    writeFileSync(file, gzipSync(Buffer.concat([header('kserve-0.20.0/config/llmisvc/huge.yaml', 40 << 20), Buffer.alloc(4096)])));
    const r = await vendorFrom(file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('kserve-0.20.0/config/llmisvc/huge.yaml is 40 MiB, over the 32 MiB cap of one vendored file');
    expect(r.vendored).toBe(false);
  });

  it('a link in a tarball is never unpacked: the file it stands for is missing, nothing outside is read', async () => {
    const src = join(t.dir, 'tar-src', 'kserve-0.20.0');
    cpSync(join(KSERVE_SRC, 'config'), join(src, 'config'), { recursive: true });
    rmSync(join(src, 'config/llmisvc/service.yaml'));
    symlinkSync(join(outside, 'secret.yaml'), join(src, 'config/llmisvc/service.yaml'));
    const file = join(t.dir, 'links.tar.gz');
    await tar.c({ gzip: true, file, cwd: join(t.dir, 'tar-src'), portable: true }, ['kserve-0.20.0']);
    const r = await vendorFrom(file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('config/llmisvc/service.yaml: is referenced by a kustomization but missing from the source');
    expect(r.vendored).toBe(false);
  });

  it('--from DIR never follows a link out of the source (file or folder)', async () => {
    const src = join(t.dir, 'checkout');
    cpSync(join(KSERVE_SRC, 'config'), join(src, 'config'), { recursive: true });
    rmSync(join(src, 'config/llmisvc/service.yaml'));
    symlinkSync(join(outside, 'secret.yaml'), join(src, 'config/llmisvc/service.yaml'));
    const file = await vendorFrom(src);
    expect(file.code).toBe(1);
    expect(file.stderr).toContain('config/llmisvc/service.yaml: is a symbolic link in the KServe source — vendor never follows links');
    expect(file.vendored).toBe(false);
    expect([...file.tree.values()].some((text) => text.includes(SECRET.trim()))).toBe(false);

    rmSync(join(src, 'config/llmisvc/service.yaml'));
    cpSync(join(KSERVE_SRC, 'config/llmisvc/service.yaml'), join(src, 'config/llmisvc/service.yaml'));
    rmSync(join(src, 'config/rbac'), { recursive: true });
    symlinkSync(outside, join(src, 'config/rbac'));
    const dir = await vendorFrom(src);
    expect(dir.code).toBe(1);
    expect(dir.stderr).toContain('config/rbac: is a symbolic link in the KServe source');
    expect(dir.vendored).toBe(false);
  });
});

describe('vendor --version', () => {
  it('is vendor\'s option, not the program\'s --version', async () => {
    const r = await vendorFrom(KSERVE_SRC, ['--version', 'v0.20.0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^KServe v0.20.0:\n  created /); // a line of its own, the changes below it
    expect(r.stdout).not.toBe('0.1.0\n');
    expect(r.vendored).toBe(true);
  });

  it('must be a release tag, never a path', async () => {
    for (const bad of ['../../x', '--version=../../x', 'v0.20.0/../../x', 'latest']) {
      const args = bad.startsWith('--') ? [bad] : ['--version', bad];
      const r = await vendorFrom(KSERVE_SRC, args);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain('not a KServe release tag such as v0.20.0');
      expect(r.vendored).toBe(false);
    }
  });
});

describe('a committed vendor lock is input too', () => {
  it('a malformed or linked vendor.lock.json is an Issue for generate and check, not an internal error', async () => {
    const repo = repoWith(exampleCatalogs(true));
    try {
      expect((await cli(['vendor', '--from', KSERVE_SRC], repo.dir)).code).toBe(0);
      const lock = join(repo.dir, 'base/vendor/kserve/v0.20.0/vendor.lock.json');
      writeFileSync(lock, '{"kserve": "v0.20.0", "files": ');
      for (const cmd of ['generate', 'check']) {
        const r = await cli([cmd], repo.dir);
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toContain('base/vendor/kserve/v0.20.0/vendor.lock.json: is not valid JSON');
        expect(r.stderr).not.toContain('internal error');
      }
      rmSync(lock);
      symlinkSync(join(outside, 'secret.yaml'), lock);
      const r = await cli(['check'], repo.dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('vendor.lock.json: is a symbolic link');
    } finally {
      repo.cleanup();
    }
  });
});
