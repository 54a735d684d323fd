/**
 * What validate loads or builds once per run, made cheaper without changing a verdict:
 * the built-in kinds the renderer writes come by literal name (so the validate bundle holds
 * them), the CRD files' `kind:` values are scanned once per file, and validate renders no
 * README (nor loads Handlebars). Each is checked against what it replaced.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinValidator, RENDERED } from '../generator/src/validate/builtin.js';
import { crdFileKey, indexCrdText, kindTokens, mayHoldCrd } from '../generator/src/validate/crd-index.js';
import { crdFileKinds } from '../generator/src/validate/crd-kinds.js';
import { DiskCache } from '../generator/src/validate/cache.js';
import { renderWorkspace } from '../generator/src/commands/workspace.js';
import { renderTree } from '../generator/src/render/tree.js';
import { readResources } from '../generator/src/validate/resources.js';
import { CLI, PROJECT, tempDir, UPSTREAM } from './helpers/repo.js';
import { write } from './helpers/gitops-repo.js';
import { llmisvcCrd } from './helpers/tiny-crd.js';
// @ts-expect-error: a plain .mjs helper of the bench, without types
import { writeBenchRepo } from '../scripts/bench-catalogs.mjs';

const run = promisify(execFile);
const work = tempDir('llm-gitops-fixed-costs-');
afterAll(() => work.cleanup());

/** Catalogs with Argo CD and Flux environments, prerequisites, PVC downloads (the bench's), and the project's own. */
async function renderedTrees() {
  const bench = join(work.dir, 'bench');
  writeBenchRepo(bench, { envs: 2, models: 12 });
  return [await renderWorkspace(PROJECT), await renderWorkspace(bench)];
}

describe('validate fixed costs', () => {
  it('every built-in kind a rendered tree holds comes from the literal-name table, and each entry is that kind', async () => {
    const kinds = new Set<string>();
    for (const ws of await renderedTrees()) {
      for (const f of ws.files) {
        if (!/\.ya?ml$/.test(f.path)) continue;
        for (const r of f.objects ? f.objects.map((object) => ({ object })) : readResources(f.path, f.content)) {
          const o = r.object as { apiVersion?: string; kind?: string } | undefined;
          if (o?.apiVersion && o.kind && (await builtinValidator(o.apiVersion, o.kind))) kinds.add(`${o.apiVersion}|${o.kind}`);
        }
      }
    }
    expect(kinds.size).toBeGreaterThanOrEqual(6);
    for (const k of kinds) expect(Object.keys(RENDERED), k).toContain(k);
    for (const [key, load] of Object.entries(RENDERED)) {
      const [apiVersion, kind] = key.split('|') as [string, string];
      const mod = (await load()) as Record<string, { apiVersion?: string; kind?: string } | undefined> & { default?: Record<string, { apiVersion?: string; kind?: string }> };
      const cls = mod[kind] ?? mod.default?.[kind];
      expect({ key, apiVersion: cls?.apiVersion, kind: cls?.kind }).toEqual({ key, apiVersion, kind });
      const validate = (await builtinValidator(apiVersion, kind))!;
      expect(await validate({ apiVersion, kind, metadata: { name: 'x', bogus: true } }), key).toContainEqual(expect.objectContaining({ instancePath: '/metadata', keyword: 'additionalProperties' }));
    }
  });

  it("a file's kind set answers exactly what the per-kind regex it replaced answered", () => {
    // The replaced test, verbatim: could `text` define `kind` (spec.names.kind)?
    const mayDefineKind = (text: string, kind: string) => new RegExp(`\\bkind["']?\\s*:\\s*["']?${kind}(?=["'\\s,}]|$)`, 'm').test(text);
    const crdDirs = [join(UPSTREAM, 'kserve', 'v0.20.0', 'config', 'crd', 'full'), join(UPSTREAM, 'gateway-api', 'v1.5.1', 'config', 'crd', 'standard'), join(UPSTREAM, 'argo-cd', 'v3.5.1', 'manifests', 'crds')];
    const texts = crdDirs.flatMap((d) => readdirSync(d, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ya?ml|json)$/.test(f)).map((f) => readFileSync(join(d, f), 'utf8'))).filter(mayHoldCrd);
    expect(texts.length).toBeGreaterThan(5);
    texts.push(
      'kind: kind: Job\n', '{"kind":"Job"}', "{kind: 'Job', x: 1}", 'kind : "Job"\r\n', 'kind: Jobs\n', 'kind: Job.v1\n', 'kind: " Job"\n', 'kind: ""\n', 'subkind: Job\n',
      'kind:Job', 'names:\n  kind: Job # comment\n', '- kind: Job,\n', 'kind: Job}', "'kind': Job",
    );
    const kinds = ['Job', 'Jobs', 'CronJob', 'LLMInferenceService', 'LLMInferenceServiceConfig', 'Gateway', 'GatewayClass', 'HTTPRoute', 'Application', 'ApplicationSet', 'AppProject', 'InferencePool', 'CustomResourceDefinition', 'ConfigMap', 'Namespace'];
    for (const t of texts) {
      const set = kindTokens(t);
      for (const k of kinds) expect(set.has(k), `${k} in ${t.slice(0, 40)}`).toBe(mayDefineKind(t, k));
    }
  });

  it('validate renders the tree without its READMEs, and loads no Handlebars', async () => {
    for (const ws of await renderedTrees()) {
      const all = renderTree(ws.catalog);
      const readmes = all.filter((f) => f.path.endsWith('README.md'));
      expect(readmes.length).toBeGreaterThanOrEqual(2);
      expect(renderTree(ws.catalog, { readmes: true })).toStrictEqual(all.filter((f) => !f.path.endsWith('README.md')));
    }
    // Through the CLI, in a fresh process: is handlebars in the module cache at exit?
    const probe = join(work.dir, 'probe.cjs');
    writeFileSync(probe, "process.on('exit', () => { if (Object.keys(require.cache).some((k) => k.includes('/handlebars/'))) process.stderr.write('handlebars loaded\\n'); });\n");
    const repo = join(work.dir, 'repo');
    write(repo, 'environments/dev/catalog.yaml', 'namespace: llm-dev\nplatform: { mode: none }\nmodels:\n  opt: { uri: hf://facebook/opt-125m, accelerator: cpu, router: none }\n');
    write(repo, 'crds/llmisvc.yaml', llmisvcCrd({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }));
    const env = { ...process.env, LLM_GITOPS_CACHE: join(work.dir, 'cache') };
    const generate = await run(process.execPath, ['-r', probe, CLI, 'generate'], { cwd: repo, env });
    expect(generate.stderr).toContain('handlebars loaded'); // the probe sees it when it is there
    const validate = await run(process.execPath, ['-r', probe, CLI, 'validate', '--timings', '--no-default-locations', '--schema-location', 'crds'], { cwd: repo, env });
    expect(validate.stdout).toContain('0 invalid');
    expect(validate.stderr).not.toContain('handlebars loaded');
  }, 30_000);

  it('a cached CRD index gives what converting gives, parses a version only when asked, and a damaged or foreign entry is converted again', async () => {
    const crd = join(UPSTREAM, 'gateway-api', 'v1.5.1', 'config', 'crd', 'standard', 'gateway.networking.k8s.io_gateways.yaml');
    const text = readFileSync(crd, 'utf8');
    const dir = join(work.dir, 'crd-cache');
    const plain = (es: { schema: unknown; admission?: unknown }[]) => es.map((e) => JSON.parse(JSON.stringify(e)) as unknown);
    const converted = plain(await indexCrdText(text, crd, new DiskCache(undefined as unknown as string))); // no cache: converted
    expect(converted.length).toBe(2);
    expect((converted[0] as { admission?: unknown }).admission).toBeDefined();
    await indexCrdText(text, crd, new DiskCache(dir)); // writes the entry
    const [file] = readdirSync(join(dir, 'crd'));
    const entryPath = join(dir, 'crd', file!);
    const good = readFileSync(entryPath, 'utf8');
    const warm = await indexCrdText(text, crd, new DiskCache(dir));
    expect(plain(warm)).toStrictEqual(converted);
    // A version's schema and CEL tree are parsed from the entry on first use: a getter, not a value, until then.
    const fresh = (await indexCrdText(text, crd, new DiskCache(dir)))[0]!;
    expect(Object.getOwnPropertyDescriptor(fresh, 'schema')?.get).toBeTypeOf('function');
    expect(Object.getOwnPropertyDescriptor(fresh, 'admission')?.get).toBeTypeOf('function');
    const head = JSON.parse(good.slice(0, good.indexOf('\n'))) as { schemaAt: [number, number]; admissionAt: [number, number] }[];
    const at = good.indexOf('\n') + 1;
    const damaged: [string, string][] = [
      ['truncated', good.slice(0, good.length - 10)],
      ['a byte of a schema changed', `${good.slice(0, at + head[0]!.schemaAt[0] + 5)}X${good.slice(at + head[0]!.schemaAt[0] + 6)}`],
      ['a byte of a CEL tree changed', `${good.slice(0, at + head[1]!.admissionAt[0] + 5)}X${good.slice(at + head[1]!.admissionAt[0] + 6)}`],
      ['a range past the end', good.replace(/"schemaAt":\[(\d+),(\d+)\]/, (_, a: string) => `"schemaAt":[${a},${good.length + 1}]`)],
      ['a wrong type in the head', good.replace('"group":', '"group":7,"x":')],
      ['the old format (one JSON array)', JSON.stringify(converted)],
      ['no newline', good.slice(0, good.indexOf('\n'))],
      ['not JSON', `garbage\n${good}`],
    ];
    for (const [what, bad] of damaged) {
      expect(bad, what).not.toBe(good);
      writeFileSync(entryPath, bad);
      const again = await indexCrdText(text, crd, new DiskCache(dir));
      expect({ what, entries: plain(again) }).toStrictEqual({ what, entries: converted });
      expect({ what, rewritten: readFileSync(entryPath, 'utf8') === good }).toStrictEqual({ what, rewritten: true });
    }
    expect(statSync(entryPath).size).toBe(Buffer.byteLength(good));
  });

  it("a folder's kind scans come from the cache when it has exactly these contents, and a damaged entry is scanned again and rewritten", async () => {
    const dirs = [join(UPSTREAM, 'gateway-api', 'v1.5.1', 'config', 'crd', 'standard'), join(UPSTREAM, 'kserve', 'v0.20.0', 'config', 'crd', 'full', 'llmisvc')];
    const files = dirs.flatMap((d) => readdirSync(d).sort().map((f) => readFileSync(join(d, f)))).map((bytes) => ({ bytes, key: crdFileKey(bytes) }));
    const scanned = files.map((f) => (mayHoldCrd(f.bytes.toString('utf8')) ? [...kindTokens(f.bytes.toString('utf8'))] : undefined));
    expect(scanned.filter((k) => !k).length).toBeGreaterThan(0); // the kustomization and patches: no CRD
    const plain = (ks: (ReadonlySet<string> | undefined)[]) => ks.map((k) => (k ? [...k] : undefined));
    const dir = join(work.dir, 'kinds-cache');
    const cache = new DiskCache(dir);
    expect(plain(await crdFileKinds(files, cache))).toStrictEqual(scanned); // scanned, and written
    const entries = readdirSync(join(dir, 'crd')).filter((f) => f.startsWith('kinds-'));
    expect(entries.length).toBe(1);
    const entryPath = join(dir, 'crd', entries[0]!);
    const good = readFileSync(entryPath, 'utf8');
    expect(plain(await crdFileKinds(files, cache))).toStrictEqual(scanned);
    // Read, not scanned: an entry that says otherwise is believed (it is keyed by these very contents).
    const forged = JSON.parse(good) as (string[] | null)[];
    forged[forged.findIndex((k) => k !== null)] = ['Forged'];
    writeFileSync(entryPath, JSON.stringify(forged));
    expect(plain(await crdFileKinds(files, cache)).some((k) => k?.[0] === 'Forged')).toBe(true);
    // Other contents (one file changed, one fewer): another entry.
    const changed = files.map((f, i) => (i === 3 ? { bytes: Buffer.concat([f.bytes, Buffer.from('\n# x\n')]), key: crdFileKey(Buffer.concat([f.bytes, Buffer.from('\n# x\n')])) } : f));
    expect(plain(await crdFileKinds(changed, cache))).toStrictEqual(scanned);
    expect(plain(await crdFileKinds(files.slice(1), cache))).toStrictEqual(scanned.slice(1));
    for (const bad of ['', 'not json', '{}', JSON.stringify(JSON.parse(good).slice(1)), JSON.stringify([...JSON.parse(good).slice(1), 7]), good.replace('"', '"\u0000'), JSON.stringify(JSON.parse(good).map((k: string[] | null) => (k ? [...k, 1] : k)))]) {
      writeFileSync(entryPath, bad);
      expect({ bad, kinds: plain(await crdFileKinds(files, cache)) }).toStrictEqual({ bad, kinds: scanned });
      expect({ bad, rewritten: readFileSync(entryPath, 'utf8') }).toStrictEqual({ bad, rewritten: good });
    }
  });

  it('a cache entry reads as the text reading it as UTF-8 gives, whatever its bytes', async () => {
    const dir = join(work.dir, 'read-cache');
    const cache = new DiskCache(dir);
    const samples: [string, Buffer][] = [
      ['ascii', Buffer.from('module.exports = 1;\n')],
      ['empty', Buffer.alloc(0)],
      ['not ascii', Buffer.from('“décrit” — ok\n')],
      ['latin1 bytes (not UTF-8)', Buffer.from([0x61, 0xe9, 0x62, 0xff, 0x0a])],
      ['a cut UTF-8 sequence', Buffer.from([0x61, 0xe2, 0x80])],
      ['NUL and controls', Buffer.from([0x00, 0x01, 0x7f, 0x0a])],
    ];
    for (const [what, bytes] of samples) {
      await cache.writeBytes(`t/${what}`, bytes);
      expect({ what, text: await cache.read(`t/${what}`) }).toStrictEqual({ what, text: readFileSync(join(dir, 't', what), 'utf8') });
    }
    expect(await cache.read('t/absent')).toBeUndefined();
    expect(await new DiskCache(undefined).read('t/ascii')).toBeUndefined();
  });

  it('a CRD file read as bytes gets the key its text gets, and an entry with other than ASCII is read (and checked) as text', async () => {
    const base = readFileSync(join(UPSTREAM, 'gateway-api', 'v1.5.1', 'config', 'crd', 'standard', 'gateway.networking.k8s.io_gatewayclasses.yaml'), 'utf8');
    // Descriptions with characters outside ASCII: JSON.stringify keeps them, so the entry is not ASCII.
    const text = base.replace('message: Value is immutable', 'message: Value is immutable — “décrit”').replace('message: Waiting for controller', 'message: Waiting — “décrit”');
    expect(text).not.toBe(base);
    const plain = (es: { schema: unknown; admission?: unknown }[]) => es.map((e) => JSON.parse(JSON.stringify(e)) as unknown);
    const converted = plain(await indexCrdText(text, 'x.yaml', new DiskCache(undefined)));
    expect(JSON.stringify(converted)).toContain('“décrit”');
    const dir = join(work.dir, 'crd-cache-bytes');
    const entries = () => readdirSync(join(dir, 'crd'));
    await indexCrdText(text, 'x.yaml', new DiskCache(dir)); // keyed by the text
    const [file] = entries();
    const read = await indexCrdText(text, 'x.yaml', new DiskCache(dir), Buffer.from(text)); // the bytes: same key, the entry read (not converted again)
    expect(plain(read)).toStrictEqual(converted);
    expect(entries()).toEqual([file]);
    expect(Object.getOwnPropertyDescriptor(read[0], 'schema')?.get).toBeTypeOf('function');
    const entryPath = join(dir, 'crd', file!);
    const good = readFileSync(entryPath, 'utf8');
    expect(/^[\x00-\x7f]*$/.test(good)).toBe(false);
    // Damage that keeps the entry non-ASCII, and damage that puts a non-ASCII character into an ASCII entry's text.
    const head = JSON.parse(good.slice(0, good.indexOf('\n'))) as { schemaAt: [number, number] }[];
    const at = good.indexOf('\n') + 1 + head[0]!.schemaAt[0] + 5;
    for (const bad of [`${good.slice(0, at)}X${good.slice(at + 1)}`, good.replace('“décrit”', '“décrit” ')]) {
      writeFileSync(entryPath, bad);
      expect(plain(await indexCrdText(text, 'x.yaml', new DiskCache(dir), Buffer.from(text)))).toStrictEqual(converted);
      expect(readFileSync(entryPath, 'utf8')).toBe(good);
    }
    const ascii = join(work.dir, 'crd-cache-ascii');
    await indexCrdText(base, 'y.yaml', new DiskCache(ascii));
    const [asciiFile] = readdirSync(join(ascii, 'crd'));
    const asciiPath = join(ascii, 'crd', asciiFile!);
    const asciiGood = readFileSync(asciiPath, 'utf8');
    const asciiConverted = plain(await indexCrdText(base, 'y.yaml', new DiskCache(undefined)));
    const h = JSON.parse(asciiGood.slice(0, asciiGood.indexOf('\n'))) as { schemaAt: [number, number] }[];
    const p = asciiGood.indexOf('\n') + 1 + h[0]!.schemaAt[0] + 5;
    writeFileSync(asciiPath, `${asciiGood.slice(0, p)}é${asciiGood.slice(p + 1)}`); // same length in characters, one byte more
    expect(plain(await indexCrdText(base, 'y.yaml', new DiskCache(ascii), Buffer.from(base)))).toStrictEqual(asciiConverted);
    expect(readFileSync(asciiPath, 'utf8')).toBe(asciiGood);
    // Bytes that are not valid UTF-8: the key comes from the text they decode to (U+FFFD), as before.
    const broken = Buffer.concat([Buffer.from(base), Buffer.from('# '), Buffer.from([0xff, 0x0a])]);
    const brokenText = broken.toString('utf8');
    const keyed = join(work.dir, 'crd-cache-broken');
    await indexCrdText(brokenText, 'z.yaml', new DiskCache(keyed));
    const [byText] = readdirSync(join(keyed, 'crd'));
    await indexCrdText(brokenText, 'z.yaml', new DiskCache(keyed), broken);
    expect(readdirSync(join(keyed, 'crd'))).toEqual([byText]);
  });
});
