/**
 * `llm-gitops init`: a scaffold that `generate` and `check` accept at once, CODEOWNERS per
 * environment, a README drawing the tree, CI workflows (the same ones shipped in
 * scripts/ci/github/), and no overwriting of anything already there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { toolVersion } from '../generator/src/commands/init.js';
import { renderWorkflows } from '../generator/src/render/workflows.js';
import { exampleTool } from '../generator/src/install/tool.js';
import { cli, PROJECT, snapshot, tempDir, UPSTREAM } from './helpers/repo.js';
import { git } from './helpers/gitops-repo.js';

let t: { dir: string; cleanup: () => void } | undefined;
afterEach(() => t?.cleanup());

interface Step {
  name?: string;
  run?: string;
  uses?: string;
}

describe('init', () => {
  it('scaffolds a repository that generate, validate and check accept at once', async () => {
    t = tempDir();
    const dir = join(t.dir, 'gitops');
    const r = await cli(['init', dir, '--env', 'staging', '--engine', 'argocd', '--repo-url', 'https://git.example.com/org/models.git', '--owner', '@org/ml-platform', '--tool', 'git+https://git.example.com/org/kserve-llm-gitops.git#v0.1.0'], t.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('new git repository');
    expect(git(dir, 'symbolic-ref', '--short', 'HEAD').trim()).toBe('main');

    expect(await cli(['check'], dir)).toMatchObject({ code: 0, stdout: 'up to date\n' });
    expect(await cli(['generate'], dir)).toMatchObject({ code: 0, stdout: 'up to date: nothing to change\n' });
    // validate with the pinned CRDs from ../shared (no network here).
    const schemas = ['kserve/v0.20.0/config/crd/full/llmisvc', 'gateway-api/v1.5.1/config/crd/standard', 'argo-cd/v3.5.1/manifests/crds'].flatMap((p) => ['--schema-location', join(UPSTREAM, p)]);
    const validated = await cli(['validate', ...schemas], dir);
    expect(validated.stdout).toMatch(/\b[1-9]\d* valid, 0 invalid, 0 errors/);
    expect(validated.code).toBe(0);

    const catalog = readFileSync(join(dir, 'environments/staging/catalog.yaml'), 'utf8');
    expect(parse(catalog)).toMatchObject({ namespace: 'llm-staging', platform: { source: 'remote' }, delivery: { engine: 'argocd', repoURL: 'https://git.example.com/org/models.git' }, models: { 'opt-125m': { uri: 'hf://facebook/opt-125m' } } });
    expect(readFileSync(join(dir, 'environments/staging/models/opt-125m.yaml'), 'utf8')).toContain('kind: LLMInferenceService');
    expect(readFileSync(join(dir, '.github/CODEOWNERS'), 'utf8').split('\n')).toContain('/environments/staging/ @org/ml-platform');
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme).toMatch(/│   ├── staging\/\s+# everything but catalog.yaml is generated/);
    expect(readme).toMatch(/│   └── catalog\.schema\.json\s+# the catalogs. JSON Schema, for editors/);
    expect(readme).toMatch(/├── catalog\.yaml\s+# the staging models — the file you edit/);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toContain('.llm-gitops-journal.json');
  });

  it('writes CI workflows that run check, validate and post the diff on PRs, and commit on main', async () => {
    t = tempDir();
    expect((await cli(['init', t.dir, '--tool', 'https://files.example.com/kserve-llm-gitops-0.1.0.tgz'], t.dir)).code).toBe(0);
    const pr = parse(readFileSync(join(t.dir, '.github/workflows/llm-gitops-pr.yaml'), 'utf8')) as { on: unknown; jobs: { review: { steps: Step[] } } };
    expect(pr.on).toEqual({ pull_request: { branches: ['main'] } });
    const runs = pr.jobs.review.steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('npm install --global --no-audit --no-fund https://files.example.com/kserve-llm-gitops-0.1.0.tgz\nllm-gitops --version');
    expect(runs).toContain('llm-gitops diff --base "origin/$BASE_REF" --format markdown --unified');
    expect(runs).toContain('llm-gitops check');
    expect(runs).toContain('llm-gitops validate');
    expect(runs).toContain('startswith("<!-- llm-gitops diff -->")');
    const main = parse(readFileSync(join(t.dir, '.github/workflows/llm-gitops-main.yaml'), 'utf8')) as { on: unknown; permissions: unknown; jobs: { generate: { steps: Step[] } } };
    expect(main.on).toMatchObject({ push: { branches: ['main'] } });
    expect(main.permissions).toEqual({ contents: 'write' });
    expect(main.jobs.generate.steps.map((s) => s.run ?? '').join('\n')).toContain('llm-gitops commit --push');
  });

  it('the workflows shipped in scripts/ci/github are what init writes', async () => {
    const version = await toolVersion();
    expect(version).toBe(JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')).version);
    for (const f of renderWorkflows({ tool: exampleTool(version), branch: 'main' }, 'scripts/ci/github')) {
      expect(readFileSync(join(PROJECT, f.path), 'utf8'), `${f.path} is stale: run npm run workflows`).toBe(f.content);
    }
  });

  it('never overwrites: a second init, or init over a hand-written file, fails and changes nothing', async () => {
    t = tempDir();
    const first = join(t.dir, 'first'); // a repository of its own: `other` below is not inside it
    expect((await cli(['init', first], t.dir)).code).toBe(0);
    const before = snapshot(first);
    const again = await cli(['init', first], t.dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('README.md: already exists — init never overwrites');
    expect(snapshot(first)).toEqual(before);

    const other = join(t.dir, 'other');
    const mine = join(other, '.github', 'CODEOWNERS');
    await import('node:fs').then((fs) => {
      fs.mkdirSync(join(other, '.github'), { recursive: true });
      fs.writeFileSync(mine, '* @me\n');
    });
    expect((await cli(['init', other], t.dir)).code).toBe(1);
    expect(readFileSync(mine, 'utf8')).toBe('* @me\n');
    expect(existsSync(join(other, 'environments'))).toBe(false);
  });

  it('--tool: what CI installs, from a git tag, a tarball in or outside the repository, or an image', async () => {
    t = tempDir();
    const steps = (dir: string) => (parse(readFileSync(join(dir, '.github/workflows/llm-gitops-pr.yaml'), 'utf8')) as { jobs: { review: { steps: Step[] } } }).jobs.review.steps;
    const inside = join(t.dir, 'a');
    await import('node:fs').then((fs) => {
      fs.mkdirSync(join(inside, 'tools'), { recursive: true });
      fs.writeFileSync(join(inside, 'tools', 'llm-gitops.tgz'), 'not really a tarball');
    });
    const a = await cli(['init', 'a', '--tool', 'a/tools/llm-gitops.tgz'], t.dir);
    expect(a).toMatchObject({ code: 0, stderr: '' });
    expect(a.stdout).toContain('CI installs llm-gitops from ./tools/llm-gitops.tgz');
    expect(steps(inside).find((s) => s.name?.startsWith('Install'))?.run).toBe('npm install --global --no-audit --no-fund ./tools/llm-gitops.tgz\nllm-gitops --version\n');
    expect(readFileSync(join(inside, 'README.md'), 'utf8')).toContain('```sh\nnpm install --global ./tools/llm-gitops.tgz\n```');

    const outside = await cli(['init', 'b', '--tool', '../elsewhere/kserve-llm-gitops-0.1.0.tgz'], t.dir);
    expect(outside.code).toBe(0);
    expect(outside.stderr).toContain(`${join(t.dir, '..', 'elsewhere', 'kserve-llm-gitops-0.1.0.tgz')}: warning: CI would install llm-gitops from this path, which only this machine has`);

    const image = await cli(['init', 'c', '--tool', 'docker://ghcr.io/acme/llm-gitops:0.1.0'], t.dir);
    expect(image).toMatchObject({ code: 0, stderr: '' });
    const c = steps(join(t.dir, 'c'));
    expect(c.some((s) => s.uses?.startsWith('actions/setup-node'))).toBe(false);
    expect(c.find((s) => s.name?.startsWith('Install'))?.run).toContain('exec docker run --rm -u "$(id -u):$(id -g)" -e HOME=/tmp -v "$(git rev-parse --show-toplevel):/repo" -w "/repo/$(git rev-parse --show-prefix)" ghcr.io/acme/llm-gitops:0.1.0 "$@"');

    const unpinned = await cli(['init', 'd', '--tool', 'docker://ghcr.io/acme/llm-gitops'], t.dir);
    expect(unpinned.code).toBe(2);
    expect(unpinned.stderr).toContain('--tool docker://ghcr.io/acme/llm-gitops: name a pinned image, e.g. docker://ghcr.io/your-org/llm-gitops:0.1.0');
    expect(existsSync(join(t.dir, 'd'))).toBe(false);
  });

  it('without --tool, CI installs what npm recorded for this install (its hidden lockfile)', async () => {
    t = tempDir();
    // An install as `npm install ../kserve-llm-gitops-0.1.0.tgz` leaves it: the package, and npm's record of where it came from.
    const project = join(t.dir, 'project');
    const pkg = join(project, 'node_modules', 'kserve-llm-gitops');
    await import('node:fs').then((fs) => {
      fs.mkdirSync(pkg, { recursive: true });
      fs.cpSync(join(PROJECT, 'dist'), join(pkg, 'dist'), { recursive: true });
      fs.copyFileSync(join(PROJECT, 'package.json'), join(pkg, 'package.json'));
      fs.symlinkSync(join(PROJECT, 'node_modules'), join(pkg, 'node_modules'));
      fs.writeFileSync(join(project, 'node_modules', '.package-lock.json'), JSON.stringify({ packages: { 'node_modules/kserve-llm-gitops': { version: '0.1.0', resolved: 'git+ssh://git@git.example.com/org/kserve-llm-gitops.git#0123456789abcdef0123456789abcdef01234567' } } }));
    });
    const { execFile } = await import('node:child_process');
    const out = await new Promise<string>((done, fail) => execFile(process.execPath, [join(pkg, 'dist', 'cli.js'), 'init', 'gitops'], { cwd: t!.dir }, (e, stdout, stderr) => (e ? fail(new Error(stderr)) : done(stdout + stderr))));
    expect(out).toContain('CI installs llm-gitops from git+ssh://git@git.example.com/org/kserve-llm-gitops.git#0123456789abcdef0123456789abcdef01234567\n');
    expect(readFileSync(join(t.dir, 'gitops', 'README.md'), 'utf8')).toContain('npm install --global git+ssh://git@git.example.com/org/kserve-llm-gitops.git#0123456789abcdef0123456789abcdef01234567');
  });

  it('usage errors exit 2: a delivery engine without --repo-url, an invalid environment name', async () => {
    t = tempDir();
    const flux = await cli(['init', t.dir, '--engine', 'flux'], t.dir);
    expect(flux.code).toBe(2);
    expect(flux.stderr).toContain('--engine flux needs --repo-url');
    expect((await cli(['init', t.dir, '--env', 'Prod_1'], t.dir)).code).toBe(2);
    expect(existsSync(join(t.dir, 'environments'))).toBe(false);
  });
});
