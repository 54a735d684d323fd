/**
 * README.md keeps every documented command and flag true: each option `--help` lists is in its
 * command's row of the Commands table, and each row's flags exist.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, PROJECT } from './helpers/repo.js';

const flagsIn = (text: string) => new Set([...text.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]));

describe('README.md', () => {
  it('names every flag of every command in its row of the Commands table, and no flag that does not exist', async () => {
    const readme = readFileSync(join(PROJECT, 'README.md'), 'utf8');
    const help = (await cli(['--help'], PROJECT)).stdout;
    const commands = [...help.split(/^Commands:$/m)[1]!.matchAll(/^ {2}([a-z]+)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    expect(commands.length).toBeGreaterThan(5);
    const problems: string[] = [];
    const helps = await Promise.all(commands.map(async (c) => (await cli([c, '--help'], PROJECT)).stdout));
    for (const [i, command] of commands.entries()) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`llm-gitops ${command}`));
      if (!row) {
        problems.push(`${command}: no row in the Commands table`);
        continue;
      }
      const documented = flagsIn(row.split(/(?<!\\)\|/)[1]!);
      const options = helps[i]!.split(/^Options:$/m)[1] ?? '';
      const real = new Set([...flagsIn(options)].filter((f) => f !== '--help'));
      // --root is every command's, documented once under the table.
      for (const f of real) if (!documented.has(f) && f !== '--root') problems.push(`${command}: ${f} is missing from README.md`);
      for (const f of documented) if (!real.has(f)) problems.push(`${command}: README.md names ${f}, which does not exist`);
    }
    expect(problems).toEqual([]);
  });
});
