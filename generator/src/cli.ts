#!/usr/bin/env node
/**
 * The command table. The only module that prints or picks exit codes:
 * 0 done, 1 invalid input (or a failed check), 2 usage error.
 *
 * Each action imports its command's modules when it runs (`await import(...)` as its first
 * line), so `--help` loads commander and nothing else, and only `health` pays for
 * @kubernetes/client-node. Static imports here are for option parsing only: keep them tiny.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { formatIssue, systemIssue, UsageError, UserError, type Issue } from './errors.js';
import { OUTPUT_FORMATS, type OutputFormat } from './validate/output-formats.js';
import type { HealthOutput } from './commands/health.js';
import { parseDuration } from './health/duration.js';
import type { Change } from './disk/plan.js';

const collect = (value: string, previous: string[]) => [...previous, value];
const durationArg = (flag: string) => (value: string) => {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError(`${flag}: "${value}" is not a duration such as 30s, 5m or 1h30m`);
  return ms;
};
const timeArg = (value: string) => {
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError(`"${value}" is neither RFC 3339 nor Unix seconds`);
  return ms;
};
const byteSize = (flag: string) => (value: string) => {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(value);
  if (!m || Number(m[1]) === 0) throw new InvalidArgumentError(`${flag}: "${value}" is not a size such as 64Mi, 512Ki or 1048576`);
  return Number(m[1]) * { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[m[2] ?? '']!;
};
const wholeNumber = (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
};

function printIssues(issues: readonly Issue[]): void {
  for (const i of issues) process.stderr.write(`${formatIssue(i)}\n`);
}

function summarize(changes: readonly Change[], dryRun: boolean): string {
  if (!changes.length) return 'up to date: nothing to change\n';
  const verb = { create: dryRun ? 'would create' : 'created', update: dryRun ? 'would update' : 'updated', delete: dryRun ? 'would remove' : 'removed' };
  const lines = changes.map((c) => `  ${verb[c.kind].padEnd(12)} ${c.path}`);
  const count = (k: Change['kind']) => changes.filter((c) => c.kind === k).length;
  return `${lines.join('\n')}\n${dryRun ? 'would change' : 'changed'}: ${count('create')} created, ${count('update')} updated, ${count('delete')} removed\n`;
}

export function buildProgram(): Command {
  const program = new Command('llm-gitops')
    .description('Compile per-environment LLM model catalogs into a Kustomize GitOps tree for KServe LLMInferenceService')
    .version('0.1.0')
    // Program options only before the command: `vendor --version v0.20.0` is vendor's option,
    // not the program's --version (which printed 0.1.0 and did nothing).
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();

  program
    .command('generate')
    .description('write base/, overlays/ and environments/<env>/ from every environments/<env>/catalog.yaml')
    .option('--root <dir>', 'repository root', '.')
    .option('--env <name>', 'only this environment (repeatable)', collect, [])
    .option('--dry-run', 'print what would change, write nothing', false)
    .option('--lock-timeout <seconds>', 'wait this long for another generate or vendor on the same tree (0: fail at once)', wholeNumber, 60)
    .action(async (o: { root: string; env: string[]; dryRun: boolean; lockTimeout: number }) => {
      const { generate } = await import('./commands/generate.js');
      const r = await generate({ root: o.root, envs: o.env, dryRun: o.dryRun, lockTimeoutMs: o.lockTimeout * 1000, onWait: (m) => process.stderr.write(`${m}\n`) });
      printIssues(r.warnings);
      if (r.recovered !== 'none') process.stderr.write(`${r.recovered} an interrupted earlier run\n`);
      for (const n of r.notes) process.stderr.write(`${n}\n`);
      process.stdout.write(summarize(r.changes, r.dryRun));
    });

  program
    .command('check')
    .description('exit 1 when the tree differs from what generate would write (the pull-request gate)')
    .option('--root <dir>', 'repository root', '.')
    .option('--env <name>', 'only this environment (repeatable)', collect, [])
    .action(async (o: { root: string; env: string[] }) => {
      const { check } = await import('./commands/check.js');
      const r = await check(o.root, o.env);
      printIssues(r.warnings);
      if (r.stale.length) {
        printIssues(r.stale);
        const fix = r.stale.every((i) => i.message.includes('llm-gitops generate')) ? 'run `llm-gitops generate` and commit' : 'fix each as its line says, then commit';
        process.stderr.write(`stale: ${r.stale.length} file(s) — ${fix}\n`);
        process.exitCode = 1;
      } else process.stdout.write('up to date\n');
    });

  program
    .command('vendor')
    .description('copy the pinned KServe config pieces into base/vendor/kserve/<version> with a sha256 lock; with --crds, put the CRDs validate needs into its cache')
    .option('--from <source>', 'kserve checkout (or its config/), release tarball, or tarball URL')
    .option('--root <dir>', 'repository root', '.')
    .option('--version <tag>', 'KServe version of the source (default: the one the vendored catalogs pin); with --prerequisite, that project\'s version (default: the pin)')
    .option('--prerequisite <name>', 'vendor a prerequisite instead: gateway-api, inference-extension, leaderworkerset into base/prerequisites/<name>/<version>/vendor; the Helm charts envoy-gateway, cert-manager, keda (--from a chart folder, checkout, .tgz, https URL or oci:// reference) into base/vendor/<name>/<version>')
    .option('--crds [folder]', 'also (or only) put the pinned CRDs validate would download (Argo CD, Flux, ESO, KServe / Gateway API unless vendored) into its cache, from this folder of upstream copies, else from the network')
    .action(async (o: { root: string; from?: string; version?: string; prerequisite?: string; crds?: string | true }) => {
      if (o.from === undefined && o.crds === undefined) throw new UsageError('vendor: pass --from <source> (KServe or --prerequisite pieces) and/or --crds [folder] (the CRDs validate needs)');
      if (o.from !== undefined) {
        const { vendor } = await import('./commands/vendor.js');
        const r = await vendor({ root: o.root, from: o.from, ...(o.version ? { version: o.version } : {}), ...(o.prerequisite ? { prerequisite: o.prerequisite } : {}), env: process.env });
        process.stdout.write(`${o.prerequisite ?? 'KServe'} ${r.version}:\n${summarize(r.changes, false)}`);
      } else if (o.version !== undefined || o.prerequisite !== undefined) throw new UsageError('vendor: --version and --prerequisite need --from');
      if (o.crds !== undefined) {
        const { vendorCrds } = await import('./commands/vendor-crds.js');
        const r = await vendorCrds({ root: o.root, ...(o.crds === true ? {} : { folder: o.crds }), env: process.env });
        const lines = r.files.map((f) => `  ${f.url} (${f.source === 'cache' ? 'already cached' : f.source === 'network' ? 'downloaded' : `from ${f.source}`})\n`);
        process.stdout.write(`CRDs for validate in ${r.cacheDir}: ${r.files.length ? '' : 'none needed (all vendored, or no such kinds)'}\n${lines.join('')}`);
      }
    });

  program
    .command('validate')
    .description('check every generated object against its schema like `kubeconform -strict` (unknown fields rejected); exit 1 when any is invalid')
    .option('--root <dir>', 'repository root', '.')
    .option('--env <name>', 'only this environment (repeatable)', collect, [])
    .option('--schema-location <dir|url>', 'CRD folder/file, CRD URL or kubeconform-style {{ .ResourceKind }} template, searched in order before the pinned KServe, Gateway API, Argo CD and Flux CRDs (repeatable; "default" puts those there instead)', collect, [])
    .option('--no-default-locations', 'only the --schema-location values: no pinned CRDs (vendored, cached or downloaded)')
    .addOption(new Option('--output <format>', 'report format').choices(OUTPUT_FORMATS).default('text'))
    .addOption(new Option('--timings', 'print stage timings and object counts on stderr (npm run bench)').hideHelp())
    .action(async (o: { root: string; env: string[]; schemaLocation: string[]; defaultLocations: boolean; output: OutputFormat; timings?: boolean }) => {
      const [{ validate }, { admissionLine, formatReport }] = await Promise.all([import('./commands/validate.js'), import('./validate/report.js')]);
      // --timings measures the stages, so it always runs them (never replays the run manifest).
      const r = await validate({ root: o.root, envs: o.env, schemaLocations: o.schemaLocation, defaults: o.defaultLocations, cwd: process.cwd(), env: process.env, reuse: !o.timings });
      printIssues(r.warnings);
      process.stdout.write(formatReport(o.output, r.results));
      if (o.output === 'text') process.stdout.write(`${admissionLine(r.admission)}\n`);
      if (o.timings) process.stderr.write(`timings: ${JSON.stringify({ ...r.timings, objects: r.results.length, ...r.compiled })}\n`);
      if (r.summary.invalid > 0 || r.summary.errors > 0) process.exitCode = 1;
    });

  program
    .command('commit')
    .description('commit the catalogs and the tree they generate, built in a scratch worktree or clone (your files are never written)')
    .option('--root <dir>', 'repository root (where the catalogs are)', '.')
    .option('--repo <path|url>', 'commit to this other repository instead (a temporary clone; needs --push)')
    .option('--target-branch <name>', 'branch to build on and push to (default: the current one; with --repo, the remote default)')
    .option('--branch <name>', 'put the commit on this new branch, for a pull request')
    .option('--push', 'push it; a rejected push is rebuilt on the new remote tip and retried', false)
    .option('--remote <name>', 'remote to push to', 'origin')
    .option('--retries <n>', 'retries of a rejected push', wholeNumber, 3)
    .option('--timeout <seconds>', 'give up, killing git, after this long', wholeNumber, 600)
    .option('--message-template <file>', 'Handlebars template of the commit message')
    .option('--pr-body-template <file>', 'Handlebars template of the pull-request body')
    .option('--pr-body-out <file>', 'write the pull-request body to this file (when a commit is made)')
    .action(async (o: { root: string; repo?: string; targetBranch?: string; branch?: string; push: boolean; remote: string; retries: number; timeout: number; messageTemplate?: string; prBodyTemplate?: string; prBodyOut?: string }) => {
      const { commit, describeCommit, loadTemplate, writeText } = await import('./commands/commit.js');
      const r = await commit({
        root: o.root,
        ...(o.repo ? { repo: o.repo } : {}),
        ...(o.targetBranch ? { targetBranch: o.targetBranch } : {}),
        ...(o.branch ? { branch: o.branch } : {}),
        push: o.push,
        remote: o.remote,
        retries: o.retries,
        timeoutMs: o.timeout * 1000,
        ...(o.messageTemplate ? { messageTemplate: await loadTemplate(o.messageTemplate) } : {}),
        ...(o.prBodyTemplate ? { prBodyTemplate: await loadTemplate(o.prBodyTemplate) } : {}),
        onProgress: (m) => process.stderr.write(`${m}\n`),
      });
      printIssues(r.warnings);
      if (o.prBodyOut && r.commit) await writeText(o.prBodyOut, r.prBody!);
      process.stdout.write(describeCommit(r, { remote: o.remote, ...(o.repo ? { repo: o.repo } : {}) }));
      for (const n of r.notes) process.stderr.write(`note: ${n}\n`);
    });

  program
    .command('diff')
    .description('what changes between a git revision and the working tree, per environment and object (the pull-request view)')
    .requiredOption('--base <rev>', 'git revision to compare with (e.g. origin/main)')
    .option('--root <dir>', 'repository root', '.')
    .option('--env <name>', 'only this environment (repeatable)', collect, [])
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'markdown', 'json']).default('text'))
    .option('--unified', 'add a unified diff of the generated YAML', false)
    .addOption(new Option('--render-all', 'render both revisions in full instead of only what they do not share (the reference; npm run bench)').hideHelp())
    .action(async (o: { base: string; root: string; env: string[]; format: 'text' | 'markdown' | 'json'; unified: boolean; renderAll?: boolean }) => {
      const { diff } = await import('./commands/diff.js');
      const r = await diff({ root: o.root, base: o.base, format: o.format, unified: o.unified, envs: o.env, ...(o.renderAll ? { renderAll: true } : {}) });
      printIssues(r.warnings);
      process.stdout.write(r.report);
    });

  program
    .command('init [dir]')
    .description('scaffold a GitOps repository (a first catalog, README, CI workflows, CODEOWNERS), generated and ready for check')
    .option('--env <name>', 'the first environment', 'dev')
    .addOption(new Option('--engine <engine>', 'delivery engine').choices(['argocd', 'flux', 'none']).default('none'))
    .option('--repo-url <url>', 'git URL Argo CD / Flux read the repository from (needed with --engine argocd|flux)')
    .option('--owner <handle>', 'GitHub user or team that approves changes (CODEOWNERS)', '@your-org/llm-platform')
    .option('--default-branch <name>', 'branch delivery syncs from and CI commits to', 'main')
    .option('--tool <spec>', 'where CI installs llm-gitops from: git URL#tag, tarball URL or path, name@version, or docker://<image>:<tag> (default: where this llm-gitops came from)')
    .action(async (dir: string | undefined, o: { env: string; engine: 'argocd' | 'flux' | 'none'; repoUrl?: string; owner: string; defaultBranch: string; tool?: string }) => {
      const [{ init }, { describeTool }] = await Promise.all([import('./commands/init.js'), import('./install/tool.js')]);
      const r = await init({ dir: dir ?? '.', env: o.env, engine: o.engine, ...(o.repoUrl ? { repoUrl: o.repoUrl } : {}), owner: o.owner, branch: o.defaultBranch, ...(o.tool !== undefined ? { tool: o.tool } : {}) });
      printIssues(r.warnings);
      process.stdout.write(`scaffolded ${r.dir}: ${r.written.length} files${r.gitInitialized ? ', new git repository' : ''}; CI installs llm-gitops from ${describeTool(r.tool)}\nnext: read README.md, then \`git add -A && git commit -m "llm-gitops init"\`\n`);
    });

  program
    .command('health')
    .description('did Argo CD / Flux sync, and is every catalog model serving? Exit 0 healthy, 1 degraded/missing/stale, 3 cluster not checkable, 4 still progressing')
    .option('--root <dir>', 'repository root', '.')
    .option('--env <name>', 'only this environment (repeatable)', collect, [])
    .option('--plan <file>', 'what should exist, from the health job\'s plan instead of the catalogs: its ConfigMap file (environments/<env>/health/plan.yaml) or the plan.json it mounts')
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, else the in-cluster ServiceAccount)')
    .option('--context <name>', 'kubeconfig context')
    .addOption(new Option('--timeout <duration>', 'give up polling after this long').argParser(durationArg('--timeout')).default(300_000, '5m'))
    .addOption(new Option('--interval <duration>', 'pause between rounds').argParser(durationArg('--interval')).default(10_000, '10s'))
    .option('--once', 'one round, no polling', false)
    .option('--expect-revision <sha>', 'the commit Argo CD / Flux should be at (e.g. the one CI just pushed)')
    .option('--pushed-at <time>', 'when that commit was pushed: RFC 3339 or Unix seconds (default: when this run started)', timeArg)
    .option('--reconcile-window <duration>', 'after the push, an older revision is Pending for this long, then Stale (default: Argo CD 3m, Flux interval + 1m)', durationArg('--reconcile-window'))
    .addOption(new Option('--progress-deadline <duration>', 'a model whose Ready stays Unknown longer than this is Degraded').argParser(durationArg('--progress-deadline')).default(900_000, '15m'))
    .addOption(new Option('--request-timeout <duration>', 'deadline of each API request').argParser(durationArg('--request-timeout')).default(30_000, '30s'))
    .addOption(new Option('--output <format>', 'report on stdout').choices(['table', 'json', 'junit', 'prometheus']).default('table'))
    .addOption(new Option('--page-size <n>', 'items per list page').argParser((v) => Number(v)).hideHelp())
    .addOption(new Option('--max-pages <n>', 'pages of one list at most (then exit 3)').argParser(wholeNumber).default(200))
    .addOption(new Option('--max-response <size>', 'bytes of one API response at most, counted while it streams (then exit 3)').argParser(byteSize('--max-response')).default(64 << 20, '64Mi'))
    .option('--probe', 'then send each Ready model a request: GET /v1/models lists its served name, POST /v1/chat/completions (max_tokens 1) answers 200', false)
    .option('--probe-url <url>', 'send probes to this origin instead of the model URL\'s host (a port-forward, a CI runner\'s tunnel); the path is kept')
    .addOption(new Option('--probe-timeout <duration>', 'deadline of each probe request').argParser(durationArg('--probe-timeout')).default(10_000, '10s'))
    .option('--probe-token-file <file>', 'bearer token for gateways with auth, read from this file (never from the command line)')
    .action(async (o: {
      root: string; env: string[]; plan?: string; kubeconfig?: string; context?: string; timeout: number; interval: number; once: boolean;
      expectRevision?: string; pushedAt?: number; reconcileWindow?: number; progressDeadline: number; requestTimeout: number; output: HealthOutput; pageSize?: number;
      maxPages: number; maxResponse: number; probe: boolean; probeUrl?: string; probeTimeout: number; probeTokenFile?: string;
    }) => {
      // From its V8-code-cached bundle when this build has one (bundle/load.ts): @kubernetes/client-node is ~1,900 modules.
      const [{ loadOr }, { DiskCache, defaultCacheDir }] = await Promise.all([import('./bundle/load.js'), import('./validate/cache.js')]);
      const [bundled, { describeProblem }] = await Promise.all([
        loadOr<typeof import('./commands/health.js')>('commands/health', new DiskCache(defaultCacheDir(process.env)), () => import('./commands/health.js')),
        import('./cluster/problem.js'),
      ]);
      const { health } = bundled.exports;
      const r = await health(
        {
          root: o.root, envs: o.env, timeoutMs: o.timeout, intervalMs: o.interval, once: o.once, progressDeadlineMs: o.progressDeadline,
          requestTimeoutMs: o.requestTimeout, maxPages: o.maxPages, maxResponseBytes: o.maxResponse, probe: o.probe, probeTimeoutMs: o.probeTimeout,
          ...(o.probeUrl ? { probeUrl: o.probeUrl } : {}), ...(o.probeTokenFile ? { probeTokenFile: o.probeTokenFile } : {}), output: o.output, color: !!process.stdout.isTTY && process.env.NO_COLOR === undefined,
          ...(o.plan ? { planFile: o.plan } : {}), ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}), ...(o.context ? { context: o.context } : {}),
          ...(o.expectRevision ? { expectRevision: o.expectRevision } : {}), ...(o.pushedAt !== undefined ? { pushedAt: o.pushedAt } : {}),
          ...(o.reconcileWindow !== undefined ? { reconcileWindowMs: o.reconcileWindow } : {}), ...(o.pageSize ? { pageSize: o.pageSize } : {}),
        },
        { progress: (text) => process.stderr.write(text), live: !!process.stderr.isTTY, ...(process.stderr.columns ? { columns: process.stderr.columns } : {}) },
      );
      process.stdout.write(r.output);
      for (const p of r.problems) process.stderr.write(`error: cannot check the cluster: ${describeProblem(p)}\n`);
      process.exitCode = r.code;
      await bundled.persist();
    });

  program
    .command('preflight')
    .description('before the first sync and in CI: does this cluster have what the catalog needs (CRDs, Gateway, cert-manager, Secrets, storage classes, GPUs)? Exit 0 ready, 1 something missing, 3 cluster not checkable')
    .option('--root <dir>', 'repository root', '.')
    .option('--env <name>', 'only this environment (repeatable)', collect, [])
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, else the in-cluster ServiceAccount)')
    .option('--context <name>', 'kubeconfig context')
    .addOption(new Option('--timeout <duration>', 'one deadline for every request').argParser(durationArg('--timeout')).default(60_000, '1m'))
    .addOption(new Option('--request-timeout <duration>', 'deadline of each API request').argParser(durationArg('--request-timeout')).default(30_000, '30s'))
    .addOption(new Option('--max-pages <n>', 'pages of one list at most (then exit 3)').argParser(wholeNumber).default(200))
    .addOption(new Option('--max-response <size>', 'bytes of one API response at most (then exit 3)').argParser(byteSize('--max-response')).default(64 << 20, '64Mi'))
    .addOption(new Option('--output <format>', 'report on stdout').choices(['table', 'json', 'junit']).default('table'))
    .action(async (o: { root: string; env: string[]; kubeconfig?: string; context?: string; timeout: number; requestTimeout: number; maxPages: number; maxResponse: number; output: 'table' | 'json' | 'junit' }) => {
      const [{ preflight }, { describeProblem }] = await Promise.all([import('./commands/preflight.js'), import('./cluster/problem.js')]);
      const r = await preflight({
        root: o.root, envs: o.env, timeoutMs: o.timeout, requestTimeoutMs: o.requestTimeout, maxPages: o.maxPages, maxResponseBytes: o.maxResponse, output: o.output,
        ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}), ...(o.context ? { context: o.context } : {}),
      });
      process.stdout.write(r.output);
      for (const p of r.report.problems) process.stderr.write(`error: cannot check the cluster: ${describeProblem(p)}\n`);
      process.exitCode = r.code;
    });

  program
    .command('schema')
    .description('print the catalog JSON Schema (for editors: # yaml-language-server: $schema=...); --library: that of environments/library.yaml')
    .option('--library', 'the model library file’s schema instead')
    .action(async (o: { library?: boolean }) => {
      const schema = o.library ? (await import('./library/schema.js')).libraryJsonSchema() : (await import('./catalog/schema.js')).catalogJsonSchema();
      process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
    });

  program.addOption(new Option('--no-color', 'plain output').hideHelp());
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UserError) {
      printIssues(e.issues);
      const errors = e.issues.filter((i) => i.severity === 'error').length;
      if (errors > 1) process.stderr.write(`${errors} errors\n`);
      return e.exitCode;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    const sys = systemIssue(e);
    if (sys) {
      printIssues([sys]);
      return 1;
    }
    process.stderr.write(`llm-gitops: internal error (please report it):\n${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

/** What stdout, stderr or stdin hold open (a pipe or a terminal); anything else is work still pending. */
const STDIO_RESOURCES = new Set(['PipeWrap', 'TTYWrap']);

/**
 * Ends the process once stdout and stderr have taken everything written to them, when nothing
 * else is pending. Left to end by itself, Node would first wait for V8's background work, of no
 * use to a finished command (an optimizing compile still queued or running, the heap freed page
 * by page): 7-14 ms of a 0.3 s validate. A child process, socket or timer still open (a credential
 * plugin killed at the deadline, not yet gone) keeps the natural exit, which waits for it.
 */
async function exitWhenFlushed(code: number): Promise<void> {
  process.exitCode = code;
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((flushed) => s.write('', () => flushed()))));
  if (process.getActiveResourcesInfo().every((r) => STDIO_RESOURCES.has(r))) process.exit(code);
}

void main(process.argv.slice(2)).then(exitWhenFlushed);
