#!/usr/bin/env node
/**
 * The command table. The only module that prints or picks exit codes:
 * 0 done, 1 invalid input (or a failed check), 2 usage error.
 */
import { Command, CommanderError, Option } from 'commander';
import { formatIssue, UsageError, UserError, type Issue } from './errors.js';
import { generate } from './commands/generate.js';
import { check } from './commands/check.js';
import { vendor } from './commands/vendor.js';
import { catalogJsonSchema } from './catalog/schema.js';
import type { Change } from './disk/plan.js';

const collect = (value: string, previous: string[]) => [...previous, value];

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
    .showHelpAfterError()
    .exitOverride();

  program
    .command('generate')
    .description('write base/, overlays/ and environments/<env>/ from every environments/<env>/catalog.yaml')
    .option('--root <dir>', 'repository root', '.')
    .option('--env <name>', 'only this environment (repeatable)', collect, [])
    .option('--dry-run', 'print what would change, write nothing', false)
    .action(async (o: { root: string; env: string[]; dryRun: boolean }) => {
      const r = await generate({ root: o.root, envs: o.env, dryRun: o.dryRun });
      printIssues(r.warnings);
      if (r.recovered) process.stderr.write('rolled back an interrupted earlier run\n');
      process.stdout.write(summarize(r.changes, r.dryRun));
    });

  program
    .command('check')
    .description('exit 1 when the tree differs from what generate would write (the pull-request gate)')
    .option('--root <dir>', 'repository root', '.')
    .option('--env <name>', 'only this environment (repeatable)', collect, [])
    .action(async (o: { root: string; env: string[] }) => {
      const r = await check(o.root, o.env);
      printIssues(r.warnings);
      if (r.stale.length) {
        printIssues(r.stale);
        process.stderr.write(`stale: ${r.stale.length} file(s) — run \`llm-gitops generate\` and commit\n`);
        process.exitCode = 1;
      } else process.stdout.write('up to date\n');
    });

  program
    .command('vendor')
    .description('copy the pinned KServe config pieces into base/vendor/kserve/<version> with a sha256 lock')
    .requiredOption('--from <source>', 'kserve checkout (or its config/), release tarball, or tarball URL')
    .option('--root <dir>', 'repository root', '.')
    .option('--version <tag>', 'KServe version of the source (default: the one the vendored catalogs pin)')
    .action(async (o: { root: string; from: string; version?: string }) => {
      const r = await vendor({ root: o.root, from: o.from, ...(o.version ? { version: o.version } : {}) });
      process.stdout.write(`KServe ${r.version}: ${summarize(r.changes, false)}`);
    });

  program
    .command('schema')
    .description('print the catalog JSON Schema (for editors: # yaml-language-server: $schema=...)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(catalogJsonSchema(), null, 2)}\n`);
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
    process.stderr.write(`llm-gitops: internal error (please report it):\n${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
