/**
 * The lock of a vendored prerequisite is committed input: a truncated, hostile or foreign lock
 * is an Issue naming the file and the fix (re-run vendor), never a crash, and a good lock still
 * catches an edited file. Fast: no vendoring, the lock and files are written by hand.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyPrerequisiteVendor } from '../generator/src/disk/vendor-prerequisite.js';
import { tempDir } from './helpers/repo.js';

const DIR = 'base/prerequisites/gateway-api/v1.5.1/vendor';
const LOCK = `${DIR}/vendor.lock.json`;
const FILE = 'config/crd/kustomization.yaml';
const TEXT = 'resources: []\n';
const sum = (t: string) => createHash('sha256').update(t).digest('hex');

let t: { dir: string; cleanup: () => void } | undefined;
afterEach(() => t?.cleanup());

function tree(lock: string | undefined): string {
  t = tempDir();
  mkdirSync(join(t.dir, DIR, 'config/crd'), { recursive: true });
  writeFileSync(join(t.dir, DIR, FILE), TEXT);
  if (lock !== undefined) writeFileSync(join(t.dir, LOCK), lock);
  return t.dir;
}

const good = { prerequisite: 'gateway-api', version: 'v1.5.1', files: { [FILE]: sum(TEXT) } };

describe('verifyPrerequisiteVendor reads a hostile lock as an Issue', () => {
  it('accepts a good lock and still catches an edited file', async () => {
    const root = tree(JSON.stringify(good));
    expect(await verifyPrerequisiteVendor(root, 'gateway-api', 'v1.5.1')).toEqual([]);
    writeFileSync(join(root, DIR, FILE), 'resources: [evil.yaml]\n');
    const issues = await verifyPrerequisiteVendor(root, 'gateway-api', 'v1.5.1');
    expect(issues.map((i) => [i.file, i.message.split(' — ')[0]])).toEqual([[`${DIR}/${FILE}`, 'does not match its sha256 in vendor.lock.json (vendored upstream files must not be edited)']]);
  });

  const cases: [string, string, RegExp][] = [
    ['truncated', JSON.stringify(good).slice(0, 40), /is not valid JSON \(.+\); it may be truncated or hand-edited/],
    ['empty', '', /is not valid JSON/],
    ['null', 'null', /is not a vendor lock/],
    ['an array', '[]', /is not a vendor lock/],
    ['files is a string', JSON.stringify({ ...good, files: 'x' }), /is not a vendor lock/],
    ['a sum is not a sha256', JSON.stringify({ ...good, files: { [FILE]: 42 } }), /entry "config\/crd\/kustomization.yaml" is not a relative path with a sha256 sum/],
    ['a path climbs out', JSON.stringify({ ...good, files: { '../../../etc/passwd': sum(TEXT) } }), /entry "..\/..\/..\/etc\/passwd" is not a relative path/],
    ['another prerequisite', JSON.stringify({ ...good, prerequisite: 'leaderworkerset' }), /is the lock of "leaderworkerset" "v1.5.1", not of gateway-api v1.5.1/],
    ['another version', JSON.stringify({ ...good, version: 'v1.4.0' }), /not of gateway-api v1.5.1/],
  ];
  for (const [what, text, message] of cases) {
    it(`${what}: one error at the lock, with the fix`, async () => {
      const issues = await verifyPrerequisiteVendor(tree(text), 'gateway-api', 'v1.5.1');
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ file: LOCK, severity: 'error' });
      expect(issues[0]!.message).toMatch(message);
      expect(issues[0]!.message).toContain('run `llm-gitops vendor --prerequisite gateway-api --version v1.5.1 --from <checkout>` (or restore the files from git)');
    });
  }

  it('an oversized lock is refused without parsing it', async () => {
    const issues = await verifyPrerequisiteVendor(tree(' '.repeat((4 << 20) + 1)), 'gateway-api', 'v1.5.1');
    expect(issues.map((i) => [i.file, i.message.split(' — ')[0]])).toEqual([[LOCK, 'is over 4 MiB, far more than a vendor lock']]);
  });

  it('a lock that is a link is refused, not followed', async () => {
    const root = tree(undefined);
    writeFileSync(join(t!.dir, 'elsewhere.json'), JSON.stringify(good));
    symlinkSync(join(t!.dir, 'elsewhere.json'), join(root, LOCK));
    const issues = await verifyPrerequisiteVendor(root, 'gateway-api', 'v1.5.1');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: LOCK, severity: 'error' });
    expect(issues[0]!.message).toMatch(/symbolic link/);
  });

  it('a missing lock says the tree points at the copy', async () => {
    const issues = await verifyPrerequisiteVendor(tree(undefined), 'gateway-api', 'v1.5.1');
    expect(issues.map((i) => i.file)).toEqual([LOCK]);
    expect(issues[0]!.message).toMatch(/^is missing, but base\/prerequisites\/gateway-api\/v1.5.1 points at the vendored copy/);
  });
});
