/**
 * validate's run manifest (manifest/validate.ts): an unchanged validate replays the recorded
 * verdicts after hashing its inputs, and every input the verdicts depend on — catalogs, settings,
 * flags, working directory, cache folder, each schema location's files, the cached downloads,
 * the vendored CRD folders, the vendor lock — makes a miss when it changes. Real files and a
 * real cache folder; a CRD of our own (a few lines) keeps each full run fast. `reused` on the
 * result says which path ran.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validate, type ValidateOptions, type ValidateResult } from '../generator/src/commands/validate.js';
import { sha256 } from '../generator/src/validate/cache.js';
import { MAX_MANIFEST_BYTES, slotOf } from '../generator/src/manifest/store.js';
import { parseValidateManifest } from '../generator/src/manifest/validate.js';
import { PROJECT, repoWith, tempDir } from './helpers/repo.js';
import { write } from './helpers/gitops-repo.js';
import { llmisvcCrd } from './helpers/tiny-crd.js';

const catalog = (memory = '4Gi') => `namespace: llm-dev
platform: { mode: none, source: vendored, kserve: v0.20.0 }
images: { "kserve/llmisvc-controller": "example.com/llmisvc:1" }
models:
  opt: { uri: hf://facebook/opt-125m, accelerator: cpu, router: none, resources: { memory: ${memory} } }
`;

/** A CRD of our own for LLMInferenceService v1alpha2; `required` fields of spec make objects invalid. */
const crd = (required: string[] = []) =>
  llmisvcCrd({
    type: 'object',
    properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, ...(required.length ? { required } : {}) } },
  });

let repo: { dir: string; cleanup: () => void };
let cache: { dir: string; cleanup: () => void };
let crds: string;
const LOCK = 'base/vendor/kserve/v0.20.0/vendor.lock.json';

const opts = (o: Partial<ValidateOptions> = {}): ValidateOptions => ({ root: repo.dir, envs: [], schemaLocations: [crds], defaults: false, cwd: repo.dir, env: { LLM_GITOPS_CACHE: cache.dir, LLM_GITOPS_OFFLINE: '1' }, ...o });
/** The verdicts as printed: everything but which path ran and what it cost. */
const verdicts = (r: ValidateResult) => ({ results: r.results, summary: r.summary, warnings: r.warnings, admission: r.admission });
/** The same run without the manifest (neither read nor written): the reference. */
const full = async (o: Partial<ValidateOptions> = {}) => verdicts(await validate({ ...opts(o), reuse: false }));
/** Runs twice: the first must be a miss giving the full run's verdicts, the second a hit giving them again. */
async function missThenHit(o: Partial<ValidateOptions> = {}): Promise<ValidateResult> {
  const miss = await validate(opts(o));
  expect(miss.reused).toBeUndefined();
  expect(verdicts(miss)).toStrictEqual(await full(o));
  const hit = await validate(opts(o));
  expect(hit.reused).toBe(true);
  expect(verdicts(hit)).toStrictEqual(verdicts(miss));
  return hit;
}

beforeEach(() => {
  repo = repoWith({ dev: catalog() });
  write(repo.dir, LOCK, '{"kserve":"v0.20.0","files":{}}');
  cache = tempDir('llm-gitops-vmanifest-cache-');
  crds = join(repo.dir, 'crds');
  write(crds, 'llmisvc.yaml', crd(['absent']));
});
afterEach(() => {
  repo.cleanup();
  cache.cleanup();
});

describe('validate run manifest', () => {
  it('an unchanged validate replays exactly what a full run reports (invalid objects, lines, warnings)', async () => {
    write(repo.dir, 'environments/dev/catalog.yaml', catalog().replace(', resources: { memory: 4Gi }', '')); // + a catalog warning
    const hit = await missThenHit();
    expect(hit.summary.invalid).toBe(1);
    expect(hit.results.find((r) => r.kind === 'LLMInferenceService')?.validationErrors[0]).toMatchObject({ path: '/spec', msg: 'missing required field "absent"', line: expect.any(Number) });
    expect(hit.warnings.some((w) => w.message.includes('no cpu or memory request'))).toBe(true);
    expect(hit.compiled).toEqual({ compiled: 0, loaded: 0 });
    const again = await validate({ ...opts(), reuse: false }); // --timings: never replays
    expect(again.reused).toBeUndefined();
  });

  it('the key: catalogs, LLM_GITOPS_* settings, the locations as resolved (working directory), --no-default-locations, the cache folder', async () => {
    await missThenHit();
    // Defaults on: kind-scoped pinned URLs after ours, never needed (ours has every kind), so nothing is downloaded.
    await missThenHit({ defaults: true });
    write(repo.dir, 'environments/dev/catalog.yaml', catalog('8Gi'));
    await missThenHit();
    await missThenHit({ env: { ...opts().env, LLM_GITOPS_EXTRA: '1' } });
    // The same relative --schema-location from another working directory is another folder.
    const other = join(repo.dir, 'other');
    write(other, 'crds/llmisvc.yaml', crd());
    await missThenHit({ schemaLocations: ['crds'] });
    const r = await missThenHit({ schemaLocations: ['crds'], cwd: other });
    expect(r.summary.invalid).toBe(0);
    // A copy of the cache elsewhere whose cached download differs is not the same input.
    const url = 'https://example.invalid/llmisvc.yaml';
    write(cache.dir, `http/${sha256(url)}`, crd(['absent']));
    await missThenHit({ schemaLocations: [url] });
    const copy = tempDir('llm-gitops-vmanifest-copy-');
    try {
      cpSync(cache.dir, copy.dir, { recursive: true });
      write(copy.dir, `http/${sha256(url)}`, crd());
      const moved = await missThenHit({ schemaLocations: [url], cacheDir: copy.dir }); // the same LLM_GITOPS_* settings
      expect(moved.summary.invalid).toBe(0);
    } finally {
      copy.cleanup();
    }
  });

  it('the dependencies: each location folder or file, the cached downloads (links followed), the vendored CRD folders, the vendor lock', async () => {
    await missThenHit();
    write(crds, 'llmisvc.yaml', crd(['absend'])); // same size, other bytes
    await missThenHit();
    write(crds, 'sub/notes.yaml', 'kind: ConfigMap\n'); // a file added below the folder
    await missThenHit();
    const file = join(repo.dir, 'one-crd.yaml');
    writeFileSync(file, crd());
    await missThenHit({ schemaLocations: [file] });
    writeFileSync(file, crd(['absent']));
    expect((await missThenHit({ schemaLocations: [file] })).summary.invalid).toBe(1);
    // A cached download that is a link to a file whose content then changes.
    const url = 'https://example.invalid/llmisvc.yaml';
    const target = join(repo.dir, 'target.yaml');
    writeFileSync(target, crd());
    mkdirSync(join(cache.dir, 'http'), { recursive: true });
    symlinkSync(target, join(cache.dir, `http/${sha256(url)}`));
    await missThenHit({ schemaLocations: [url] });
    writeFileSync(target, crd(['absent']));
    expect((await missThenHit({ schemaLocations: [url] })).summary.invalid).toBe(1);
    // A vendored llmisvc CRD folder appearing switches the defaults from the pinned URLs to it.
    await missThenHit({ defaults: true });
    write(repo.dir, 'base/vendor/kserve/v0.20.0/config/crd/full/llmisvc/llmisvc.yaml', crd());
    await missThenHit({ defaults: true });
    write(repo.dir, 'base/prerequisites/gateway-api/v1.5.1/vendor/config/crd/standard/x.yaml', 'kind: ConfigMap\n');
    await missThenHit({ defaults: true });
    // The vendor lock removed: the full run fails, and nothing is replayed.
    rmSync(join(repo.dir, LOCK));
    await expect(validate(opts({ defaults: true }))).rejects.toThrow(/no vendor.lock.json/);
  });

  it('runs that are not a function of their inputs are never recorded: an object in error (no schema, a failed download), a {{ template }} location', async () => {
    const none = await validate(opts({ schemaLocations: [] })); // LLMInferenceService has no schema: an error
    expect(none.summary.errors).toBe(1);
    expect((await validate(opts({ schemaLocations: [] }))).reused).toBeUndefined();
    write(repo.dir, 'schemas/llminferenceservice.json', '{"type": "object"}');
    const template = join(repo.dir, 'schemas/{{ .ResourceKind }}.json');
    expect((await validate(opts({ schemaLocations: [template] }))).summary.errors).toBe(0);
    expect((await validate(opts({ schemaLocations: [template] }))).reused).toBeUndefined();
    // A validation worker that died (its batches were validated in this thread): said, not recorded.
    const pool = { threads: 1, minObjects: 0, batchObjects: 1, inThread: false, entry: pathToFileURL(join(PROJECT, 'dist/commands/validate-worker.js')), fault: { kind: 'exit', batch: 1 } } as const;
    const dropped = await validate(opts({ pool }));
    expect(dropped.warnings.filter((w) => /^validation worker 1 exited \(code 3\)/.test(w.message))).toHaveLength(1);
    expect(verdicts({ ...dropped, warnings: dropped.warnings.filter((w) => !w.message.startsWith('validation worker')) })).toStrictEqual(await full());
    expect((await validate(opts())).reused).toBeUndefined();
    expect((await validate(opts())).reused).toBe(true);
  });

  it('a corrupt, oversized or forged cache entry is ignored and replaced', async () => {
    await missThenHit();
    const slot = join(cache.dir, slotOf('validate', repo.dir, []));
    const good = readFileSync(slot, 'utf8');
    const g = JSON.parse(good);
    expect(parseValidateManifest(good)).toBeDefined();
    const bad = [
      '{ not json',
      JSON.stringify({ ...g, extra: 1 }),
      JSON.stringify({ ...g, key: 'x' }),
      JSON.stringify({ ...g, deps: [{ ...g.deps[0], sha: 'forged' }] }),
      JSON.stringify({ ...g, warnings: [{ file: 'f', message: 'forged', severity: 'error' }] }),
      JSON.stringify({ ...g, results: [{ ...g.results[0], status: 'error' }] }),
      JSON.stringify({ ...g, results: [{ ...g.results[0], validationErrors: [{ path: '', msg: 'm', line: 0 }] }] }),
      JSON.stringify({ ...g, admission: { ...g.admission, evaluated: -1 } }),
    ];
    for (const text of bad) {
      expect(parseValidateManifest(text)).toBeUndefined();
      writeFileSync(slot, text);
      const r = await validate(opts());
      expect(r.reused).toBeUndefined();
      expect(verdicts(r)).toStrictEqual(verdicts(await validate(opts()))); // the miss wrote a good one back
      expect((await validate(opts())).reused).toBe(true);
    }
    writeFileSync(slot, good + ' '.repeat(MAX_MANIFEST_BYTES)); // valid JSON, but too big to be read
    expect((await validate(opts())).reused).toBeUndefined();
    rmSync(slot);
    mkdirSync(slot); // a folder where the entry goes: ignored, and the run still succeeds
    const r = await validate(opts());
    expect(r.reused).toBeUndefined();
    expect(r.summary.invalid).toBe(1);
  });
});
