/**
 * The first hour, as a new user lives it: pack the tool, install the tarball the way README.md
 * says, `init` a GitOps repository with a local bare remote, add a model in a pull request,
 * run the scaffolded workflows' steps as scripts (install, diff, check, validate; after the
 * merge, commit --push), then the scaffold README's own commands. Every step exits 0, npm
 * prints no warning, and the remote holds the commit CI made. One packed tarball, one npm
 * install per place that installs (the user's machine, the CI runner).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT, tempDir, UPSTREAM } from './helpers/repo.js';
import { GIT_ENV } from './helpers/gitops-repo.js';

interface Step {
  name?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Workflow {
  jobs: Record<string, { steps: Step[] }>;
}

const t = tempDir('llm-gitops-newcomer-');
const TARBALL = 'kserve-llm-gitops-0.1.0.tgz';
let env: NodeJS.ProcessEnv;
/** A runner: no identity of the user's, its own global npm prefix. */
let ciEnv: NodeJS.ProcessEnv;

/** Runs a shell script like a workflow step (bash -e), returning its output; fails the test on a non-zero exit. */
function sh(script: string, cwd: string, extra: Record<string, string> = {}, base: NodeJS.ProcessEnv = env): { stdout: string; stderr: string } {
  const start = Date.now();
  const r = spawnSync('bash', ['--norc', '--noprofile', '-euo', 'pipefail', '-c', script], { cwd, env: { ...base, ...extra, BASH_ENV: '' }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`step failed (exit ${r.status}) in ${cwd}:\n${script}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  if (process.env.NEWCOMER_TIMES) process.stderr.write(`${Date.now() - start} ms  ${script.split('\n')[0]}\n`);
  return { stdout: r.stdout, stderr: r.stderr };
}
/** `sh`, without blocking: for a step that runs while the test goes on (a second machine, the CI runner). */
function shAsync(script: string, cwd: string, extra: Record<string, string>, base: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string; ms: number }> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--norc', '--noprofile', '-euo', 'pipefail', '-c', script], { cwd, env: { ...base, ...extra, BASH_ENV: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0) return reject(new Error(`step failed (exit ${status}) in ${cwd}:\n${script}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
      if (process.env.NEWCOMER_TIMES) process.stderr.write(`${Date.now() - start} ms  ${script.split('\n')[0]} (in the background)\n`);
      resolve({ stdout, stderr, ms: Date.now() - start });
    });
  });
}
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env }).trim();

/** The `${{ … }}` expressions the workflows use, as GitHub fills them in for a pull request into main. */
const CONTEXT: Record<string, string> = { 'github.base_ref': 'main', 'github.event.pull_request.number': '1', 'github.token': '' };
const expand = (v: string) => v.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, k: string) => CONTEXT[k] ?? `<${k}>`);

/** Every step of `job` in `file`, run in order in `cwd` with the step's env, as GitHub runs them. */
function runJob(file: string, job: string, cwd: string, runner: Record<string, string>, skip: (s: Step) => boolean = () => false): { name: string; ms: number; stdout: string; run: string }[] {
  const wf = parse(readFileSync(file, 'utf8')) as Workflow;
  const outputs = [];
  for (const step of wf.jobs[job]!.steps) {
    if (!step.run || skip(step)) continue; // `uses:` steps: checkout and setup-node are done by the test itself
    const start = Date.now();
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v)]));
    outputs.push({ name: step.name ?? '', run: step.run, stdout: sh(step.run, cwd, { ...runner, ...stepEnv }, ciEnv).stdout, ms: Date.now() - start });
  }
  return outputs;
}

beforeAll(() => {
  const prefix = join(t.dir, 'npm-global');
  env = {
    ...process.env,
    ...GIT_ENV,
    GIT_TERMINAL_PROMPT: '0',
    // A private global prefix and cache of schemas: nothing leaks into the machine's own.
    npm_config_prefix: prefix,
    npm_config_update_notifier: 'false',
    npm_config_prefer_offline: 'true',
    PATH: `${join(prefix, 'bin')}:${process.env.PATH}`,
    LLM_GITOPS_CACHE: join(t.dir, 'schema-cache'),
    // No network here: llm-gitops must not try to download anything (README "Offline validate").
    LLM_GITOPS_OFFLINE: '1',
  };
  const runnerPrefix = join(t.dir, 'runner-npm-global');
  ciEnv = Object.fromEntries(Object.entries(env).filter(([k]) => !(k in GIT_ENV)));
  Object.assign(ciEnv, { npm_config_prefix: runnerPrefix, PATH: `${join(runnerPrefix, 'bin')}:${process.env.PATH}` });
  // dist/ is already built (pretest); --ignore-scripts keeps prepack from rebuilding it under the other tests.
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', t.dir], { cwd: PROJECT, env, stdio: 'pipe' });
}, 60_000);
afterAll(() => t.cleanup());

describe('the first hour', () => {
  it('pack → install → init → pull request → merge → CI commit, every step green', async () => {
    // The tarball: what the package promises, and a LICENSE matching package.json.
    const listing = sh(`tar -tzf ${TARBALL}`, t.dir).stdout.split('\n');
    expect(listing).toEqual(expect.arrayContaining(['package/LICENSE', 'package/dist/cli.js', 'package/generator/schema/catalog.schema.json', 'package/package.json']));
    expect(listing.filter((f) => f.startsWith('package/generator/src/') || f.startsWith('package/test/'))).toEqual([]);
    const pkg = JSON.parse(sh(`tar -xzOf ${TARBALL} package/package.json`, t.dir).stdout) as { license: string; scripts: Record<string, string> };
    expect(pkg.license).toBe('Apache-2.0');
    expect(sh(`tar -xzOf ${TARBALL} package/LICENSE`, t.dir).stdout).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);

    // README.md, "Install", from a packed tarball — npm says nothing but that it added packages.
    const readme = readFileSync(join(PROJECT, 'README.md'), 'utf8');
    expect(readme).toContain(`npm install --global ./${TARBALL}`);
    const installed = sh(`npm install --global --prefer-offline --no-audit --no-fund ./${TARBALL}`, t.dir);
    expect(installed.stderr).not.toMatch(/warn/i);
    expect(sh('llm-gitops --version', t.dir).stdout.trim()).toBe('0.1.0');

    // init, with the tarball committed into the new repository for CI to install.
    mkdirSync(join(t.dir, 'gitops', 'tools'), { recursive: true });
    copyFileSync(join(t.dir, TARBALL), join(t.dir, 'gitops', 'tools', TARBALL));
    const init = sh(`llm-gitops init gitops --tool gitops/tools/${TARBALL}`, t.dir);
    expect(init.stderr).toBe('');
    expect(init.stdout).toContain(`CI installs llm-gitops from ./tools/${TARBALL}`);
    const repo = join(t.dir, 'gitops');
    // The CRDs validate checks against, into its cache from a local mirror (README "Offline validate").
    expect(sh(`llm-gitops vendor --crds ${UPSTREAM}`, repo).stdout).toMatch(/^CRDs for validate in .*\n(  https:\/\/\S+ \(from \S+\)\n)+$/);
    sh(`git init --quiet --bare ../remote.git && git remote add origin ../remote.git && git add -A && git commit --quiet -m "llm-gitops init" && git push --quiet -u origin main`, repo);

    // The CI runner's install step (the pull request workflow's first), from a fresh clone of what
    // init pushed: it starts now, on the runner's own npm prefix, while the user works on, and is
    // awaited before the runner's next step. (npm unpacking the tool's dependencies takes seconds.)
    const runnerTemp = join(t.dir, 'runner-temp');
    mkdirSync(runnerTemp);
    const runner = { RUNNER_TEMP: runnerTemp, GITHUB_STEP_SUMMARY: join(runnerTemp, 'summary.md'), GITHUB_PATH: join(runnerTemp, 'path'), GITHUB_REPOSITORY: 'org/gitops' };
    sh('git clone --quiet --branch main remote.git ci-install', t.dir);
    const installStep = (parse(readFileSync(join(t.dir, 'ci-install/.github/workflows/llm-gitops-pr.yaml'), 'utf8')) as Workflow).jobs.review!.steps.find((st) => st.run)!;
    expect(installStep.name).toMatch(/^Install llm-gitops/);
    const runnerInstall = shAsync(installStep.run!, join(t.dir, 'ci-install'), runner, ciEnv);
    runnerInstall.catch(() => undefined); // awaited below; a failure there fails the test

    // A pull request that adds a model, made the way the scaffold README says.
    const catalog = join(repo, 'environments/dev/catalog.yaml');
    writeFileSync(catalog, `${readFileSync(catalog, 'utf8').trimEnd()}\n  smol:\n    uri: hf://HuggingFaceTB/SmolLM2-135M-Instruct\n`);
    sh('git switch --quiet -c add-smol && llm-gitops generate && git add -A && git commit --quiet -m "Add smol" && git push --quiet origin add-smol', repo);

    // CI on the pull request: a fresh full clone at the branch, then the workflow's steps.
    sh(`git clone --quiet remote.git ci-pr && git -C ci-pr checkout --quiet add-smol`, t.dir);
    // Its install step is the one the runner ran above, byte for byte (and the tarball it installs the same file).
    const prWorkflow = join(t.dir, 'ci-pr/.github/workflows/llm-gitops-pr.yaml');
    expect((parse(readFileSync(prWorkflow, 'utf8')) as Workflow).jobs.review!.steps.find((st) => st.run)).toEqual(installStep);
    expect(readFileSync(join(t.dir, 'ci-pr/tools', TARBALL)).equals(readFileSync(join(t.dir, 'ci-install/tools', TARBALL)))).toBe(true);
    const installed2 = await runnerInstall;
    // The comment step talks to GitHub (continue-on-error there); everything else runs as written.
    const pr = [
      { name: installStep.name!, run: installStep.run!, stdout: installed2.stdout, ms: installed2.ms },
      ...runJob(prWorkflow, 'review', join(t.dir, 'ci-pr'), runner, (s) => s.run === installStep.run || s.name === 'Post it on the pull request'),
    ];
    expect(pr.map((s) => s.name)).toEqual([expect.stringMatching(/^Install llm-gitops/), 'What changes, per environment', 'The generated tree matches the catalogs', 'Every generated object is valid']);
    expect(pr.map((s) => s.stdout).join('\n')).toMatch(/up to date\n[\s\S]*\b[1-9]\d* valid, 0 invalid, 0 errors/);
    expect(readFileSync(runner.GITHUB_STEP_SUMMARY, 'utf8')).toMatch(/smol[^\n]*added/);

    // The merge, then a catalog edit pushed straight to main without generate (the web editor).
    sh('git switch --quiet main && git merge --quiet --ff-only add-smol && git push --quiet origin main', repo);
    writeFileSync(catalog, readFileSync(catalog, 'utf8').replace('uri: hf://HuggingFaceTB/SmolLM2-135M-Instruct', 'uri: hf://HuggingFaceTB/SmolLM2-135M-Instruct\n    replicas: 2'));
    sh('git commit --quiet -am "smol: 2 replicas" && git push --quiet origin main', repo);
    const edited = git(repo, 'rev-parse', 'HEAD');

    // CI on main: a shallow clone, as actions/checkout makes it; commit --push regenerates.
    sh(`git clone --quiet --depth 1 --branch main file://${join(t.dir, 'remote.git')} ci-main`, t.dir);
    // Same runner (its install step is the pull request's, byte for byte: installed once above).
    const main = runJob(join(t.dir, 'ci-main/.github/workflows/llm-gitops-main.yaml'), 'generate', join(t.dir, 'ci-main'), runner, (s) => s.run === pr[0]!.run);
    expect(main.map((s) => s.name)).toEqual(['Generate, and commit if the tree is behind its catalogs']);
    expect(main[0]!.stdout).toMatch(/^pushed [0-9a-f]{12} to origin\/main/);
    const tip = git(join(t.dir, 'remote.git'), 'rev-parse', 'main');
    expect(git(join(t.dir, 'remote.git'), 'rev-parse', `${tip}^`)).toBe(edited);
    expect(git(join(t.dir, 'remote.git'), 'log', '-1', '--format=%an%n%s', tip)).toMatch(/^github-actions\[bot\]\nllm-gitops: /);
    expect(git(join(t.dir, 'remote.git'), 'show', `${tip}:environments/dev/models/smol.yaml`)).toMatch(/replicas: 2/);

    // Back on the user's machine: pull what CI committed, then the scaffold README's commands.
    sh('git pull --quiet --ff-only', repo);
    const scaffoldReadme = readFileSync(join(repo, 'README.md'), 'utf8');
    const blocks = [...scaffoldReadme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks[0]!.trim()).toBe(`npm install --global ./tools/${TARBALL}`);
    expect(blocks.length).toBeGreaterThan(1);
    for (const block of blocks.slice(1)) sh(block, repo);
    expect(git(repo, 'status', '--porcelain')).toBe('');
  }, 300_000);
});
