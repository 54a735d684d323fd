/**
 * The KServe support matrix (model/kserve.ts): an unsupported `platform.kserve` or `vendor
 * --version` is an error naming the supported ones; `vendor` refuses a source that is not the
 * release it is vendored as. And what runs: a CPU model without an image gets the CPU vLLM
 * image KServe's CPU samples pin (not the CUDA preset), a model without cpu/memory requests
 * is warned about.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, exampleCatalogs, KSERVE_SRC, repoWith, snapshot, tempDir } from './helpers/repo.js';

let t: { dir: string; cleanup: () => void } | undefined;
afterEach(() => t?.cleanup());

const CATALOG = (kserve: string, models: string) => `namespace: llm-dev
platform: { mode: standalone, kserve: ${kserve} }
models:
${models}`;
const SIZED = '    resources: { cpu: "1", memory: 4Gi }\n';

describe('KServe versions', () => {
  it.each(['v0.19.0', 'v0.21.0', 'v0.15.2'])('platform.kserve: %s is an error at its line naming the supported versions', async (version) => {
    t = repoWith({ dev: CATALOG(version, `  tiny:\n    uri: hf://facebook/opt-125m\n${SIZED}`) });
    const r = await cli(['generate'], t.dir);
    expect(r.code).toBe(1);
    // (The prerequisites rules add their own lines about the missing pins.)
    expect(r.stderr).toContain(`environments/dev/catalog.yaml:2:39: platform.kserve: KServe ${version} is not supported — llm-gitops supports KServe v0.20.0 (it renders that release's objects, config names and images); set kserve: v0.20.0\n`);
    expect([...snapshot(t.dir).keys()]).toEqual(['environments/dev/catalog.yaml']);
  });

  it('vendor --version of an unsupported release is a usage error; nothing is written', async () => {
    t = repoWith(exampleCatalogs(true));
    const r = await cli(['vendor', '--from', KSERVE_SRC, '--version', 'v0.21.0'], t.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("--version: KServe v0.21.0 is not supported — llm-gitops supports KServe v0.20.0 (it renders that release's objects, config names and images)\n");
    expect([...snapshot(t.dir).keys()].some((p) => p.startsWith('base/vendor'))).toBe(false);
  });

  it('vendor refuses a source that is another release: its CRD differs, or its python/VERSION says so', async () => {
    t = tempDir();
    const repo = join(t.dir, 'repo');
    for (const [env, text] of Object.entries(exampleCatalogs(true))) {
      mkdirSync(join(repo, 'environments', env), { recursive: true });
      writeFileSync(join(repo, 'environments', env, 'catalog.yaml'), text);
    }
    // "v0.21.0": the same tree with one field more in the LLMInferenceService CRD.
    const other = join(t.dir, 'kserve-next');
    cpSync(KSERVE_SRC, other, { recursive: true });
    appendFileSync(join(other, 'config/crd/full/llmisvc/serving.kserve.io_llminferenceservices.yaml'), '# a newer release\n');
    const r = await cli(['vendor', '--from', other], repo);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${other}: is not KServe v0\\.20\\.0: its config/crd/full/llmisvc/serving\\.kserve\\.io_llminferenceservices\\.yaml \\(sha256 [0-9a-f]{12}…\\) differs from v0\\.20\\.0's \\(4377745d253c…\\) — pass the v0\\.20\\.0 source \\(a checkout at the tag, or https://github\\.com/kserve/kserve/archive/refs/tags/v0\\.20\\.0\\.tar\\.gz\\), or --version for the release it is\\n$`));

    // A checkout says its version in python/VERSION.
    const labelled = join(t.dir, 'kserve-labelled');
    cpSync(KSERVE_SRC, labelled, { recursive: true });
    mkdirSync(join(labelled, 'python'));
    writeFileSync(join(labelled, 'python', 'VERSION'), '0.19.0\n');
    const v = await cli(['vendor', '--from', labelled], repo);
    expect(v.stderr).toMatch(/: is KServe 0\.19\.0 \(python\/VERSION\), not v0\.20\.0 — pass the v0\.20\.0 source/);
    expect([...snapshot(repo).keys()].some((p) => p.startsWith('base/vendor'))).toBe(false);

    // The real v0.20.0 source, labelled 0.20.0, is accepted.
    writeFileSync(join(labelled, 'python', 'VERSION'), '0.20.0\n');
    expect((await cli(['vendor', '--from', labelled], repo)).code).toBe(0);
  });
});

describe('what runs', () => {
  it('a CPU model without an image gets the pinned CPU vLLM image of KServe’s samples, as root; its own image wins', async () => {
    t = repoWith({ dev: CATALOG('v0.20.0', `  tiny:\n    uri: hf://facebook/opt-125m\n    accelerator: cpu\n    router: direct\n${SIZED}  mine:\n    uri: hf://facebook/opt-125m\n    accelerator: cpu\n    router: direct\n    image: registry.example.com/vllm-cpu:1.2.3\n${SIZED}`) });
    const r = await cli(['generate'], t.dir);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const main = (name: string) => (parse(readFileSync(join(t!.dir, `environments/dev/models/${name}.yaml`), 'utf8')) as { spec: { template: { containers: { name: string; image?: string; securityContext?: unknown }[] } } }).spec.template.containers.find((c) => c.name === 'main')!;
    expect(main('tiny')).toMatchObject({ image: 'public.ecr.aws/q9t5s3a7/vllm-cpu-release-repo:v0.19.0', securityContext: { runAsNonRoot: false } });
    expect(main('mine').image).toBe('registry.example.com/vllm-cpu:1.2.3');
    expect(main('mine').securityContext).toBeUndefined();
    // The image KServe's own CPU sample pins at v0.20.0 (read, not copied: the test compares).
    const sample = readFileSync(join(KSERVE_SRC, 'samples/opt-125m-cpu/llm-inference-service-facebook-opt-125m-cpu-no-scheduler.yaml'), 'utf8');
    expect(sample).toContain(`image: ${main('tiny').image}`);
  });

  it('a CPU model whose own preset (presets: → baseRefs) sets the main image keeps it: no default CPU image over it', async () => {
    const presets = 'presets:\n  org-cpu:\n    spec: { template: { containers: [{ name: main, image: registry.example.com/org/vllm-cpu:2.0 }] } }\n';
    t = repoWith({ dev: `${presets}${CATALOG('v0.20.0', `  viapreset:\n    uri: hf://facebook/opt-125m\n    accelerator: cpu\n    router: direct\n    presets: [org-cpu]\n${SIZED}`)}` });
    const r = await cli(['generate'], t.dir);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const svc = parse(readFileSync(join(t.dir, 'environments/dev/models/viapreset.yaml'), 'utf8')) as { spec: { baseRefs?: { name: string }[]; template?: { containers?: { name: string; image?: string; securityContext?: unknown }[] } } };
    expect(svc.spec.baseRefs?.map((b) => b.name)).toContain('org-cpu');
    const main = svc.spec.template?.containers?.find((c) => c.name === 'main');
    expect(main?.image).toBeUndefined();
    expect(main?.securityContext).toBeUndefined();
  });

  it('a model without cpu or memory requests is warned about at its key; generate still writes', async () => {
    t = repoWith({ dev: CATALOG('v0.20.0', `  gpu:\n    uri: hf://Qwen/Qwen2.5-7B-Instruct\n  half:\n    uri: hf://Qwen/Qwen2.5-7B-Instruct\n    resources: { cpu: 2 }\n`) });
    const r = await cli(['generate'], t.dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      [
        "environments/dev/catalog.yaml:4:3: warning: models.gpu: no cpu or memory request: the scheduler may put vLLM on a node without room for the model's weights and KV cache — set resources: {cpu, memory} on the model, under defaults, or in its profile",
        "environments/dev/catalog.yaml:6:3: warning: models.half: no memory request: the scheduler may put vLLM on a node without room for the model's weights and KV cache — set resources: {cpu, memory} on the model, under defaults, or in its profile",
        '',
      ].join('\n'),
    );
  });
});
