/**
 * `init` inside an existing git repository: only its top level. A subfolder is refused, since
 * GitHub never runs a subfolder's .github/ and delivery names environments/ from the top.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, snapshot, tempDir } from './helpers/repo.js';
import { git } from './helpers/gitops-repo.js';

let t: { dir: string; cleanup: () => void } | undefined;
afterEach(() => t?.cleanup());

const TOOL = ['--tool', 'git+https://git.example.com/org/kserve-llm-gitops.git#v0.1.0'];

describe('init in an existing git repository', () => {
  it('refuses a subfolder (new or existing), changing nothing; the top level is scaffolded', async () => {
    t = tempDir();
    const top = join(t.dir, 'monorepo');
    mkdirSync(join(top, 'apps'), { recursive: true });
    git(t.dir, 'init', '--quiet', '--initial-branch=main', top);
    writeFileSync(join(top, 'apps', 'app.txt'), 'x\n');
    git(top, 'add', '-A');
    git(top, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '--quiet', '-m', 'apps');
    const topReal = git(top, 'rev-parse', '--show-toplevel').trim();
    const before = snapshot(top);

    const sub = await cli(['init', 'gitops', ...TOOL], top);
    expect(sub.code).toBe(2);
    expect(sub.stdout).toBe('');
    expect(sub.stderr).toBe(
      `error: gitops is inside the git repository ${topReal} (as gitops/): init scaffolds the top level of a repository, because GitHub runs workflows only from the top level's .github/ and the Argo CD / Flux objects name environments/ from the top — run \`llm-gitops init ${topReal}\` to make that repository the GitOps repository, or init a folder outside it (a repository of its own)\n`,
    );
    const inside = await cli(['init', '.', ...TOOL], join(top, 'apps'));
    expect(inside.code).toBe(2);
    expect(inside.stderr).toContain(`error: . is inside the git repository ${topReal} (as apps/)`);
    expect(existsSync(join(top, 'gitops'))).toBe(false);
    expect(snapshot(top)).toEqual(before);
    expect(git(top, 'status', '--porcelain')).toBe('');

    // Its top level is fine: .github/ lands where GitHub reads it.
    const ok = await cli(['init', '.', ...TOOL], top);
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(join(top, '.github', 'workflows', 'llm-gitops-pr.yaml'))).toBe(true);
  });
});
