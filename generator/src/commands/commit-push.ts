/**
 * One `commit` run's build-and-push loop, in its scratch checkout: build the commit, push it
 * when asked, and after a rejection rebuild on the remote's new tip (bounded, jittered retries).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimpleGit } from 'simple-git';
import { UserError } from '../errors.js';
import { backoff, fetchTip, PushError, pushCommit } from '../git/push.js';
import { headOf, rebaseOnto, resetCheckout, unpushedCount } from '../git/history.js';
import type { Scratch } from '../git/repo.js';
import { buildCommit, type Built, type Catalogs, type CommitStep, type Template } from './commit-build.js';
import type { CommitOptions } from './commit.js';

/** Everything one run carries between its stages. */
export interface Run {
  readonly o: CommitOptions;
  readonly signal: AbortSignal;
  /** What every git client of the run gets: the deadline, and stall limits for the network. */
  readonly limits: { readonly signal: AbortSignal; readonly idleTimeoutMs: number; readonly stallSeconds: number };
  readonly step: (s: CommitStep) => Promise<void>;
  readonly templates: { readonly message: Template; readonly prBody: Template };
  readonly ours: Catalogs;
  /** The user's base/vendor/ files. */
  readonly vendored: ReadonlyMap<string, string>;
  /** The user's environments/library.yaml, carried like the catalogs. */
  readonly library?: string;
}

/**
 * Builds on the scratch checkout's HEAD; pushes with bounded, jittered retries when asked.
 * After a rejection it does what `git pull --rebase` would: the commits the remote lacks
 * (the user's unpushed ones) are replayed onto the new tip, and our commit is rebuilt on
 * top — regenerated, since the remote's catalogs may have changed.
 */
export async function buildAndPush(
  run: Run,
  s: { scratch: Scratch; root: string; g: SimpleGit; net: SimpleGit; base?: Catalogs; baseLibrary?: string; remote: string; pushTo: string; newBranch: boolean },
): Promise<{ built: Built; attempts: number; builtOn: string; carried: number }> {
  const retries = run.o.retries ?? 3;
  const start = await headOf(s.g);
  for (let attempt = 1; ; attempt++) {
    const builtOn = await headOf(s.g);
    const built = await buildCommit({
      git: s.g,
      root: s.root,
      tmp: s.scratch.tmp,
      ours: run.ours,
      vendored: run.vendored,
      ...(s.base ? { base: s.base } : {}),
      ...(run.library !== undefined ? { library: run.library } : {}),
      ...(s.baseLibrary !== undefined ? { baseLibrary: s.baseLibrary } : {}),
      templates: run.templates,
      step: run.step,
    });
    // Commits on the branch that no remote-tracking ref has yet: a push carries them too. With
    // nothing new to commit they are what `commit --push` pushes (the tree at them is fresh:
    // buildCommit just regenerated and checked it).
    const carried = s.newBranch ? 0 : await unpushedCount(s.g, builtOn, s.remote);
    const toPush = built.commit ?? (carried ? builtOn : undefined);
    if (!toPush || !run.o.push) return { built, attempts: attempt, builtOn, carried: 0 };
    try {
      await pushCommit(s.net, s.remote, toPush, s.pushTo);
      return { built, attempts: attempt, builtOn, carried };
    } catch (e) {
      if (!(e instanceof PushError) || (e.kind !== 'rejected' && e.kind !== 'transient') || attempt > retries) throw e;
      if (s.newBranch && e.kind === 'rejected') throw UserError.of(s.remote, `branch ${s.pushTo} already exists there — pick another --branch name`);
      run.o.onProgress?.(`push ${e.kind === 'rejected' ? 'rejected: the remote has new commits' : 'failed (network)'} — rebuilding on the remote tip, retry ${attempt}/${retries}`);
      await sleep(backoff(attempt, { baseDelayMs: run.o.retryDelayMs }), undefined, { signal: run.signal });
      const tip = await fetchTip(s.net, s.remote, s.pushTo);
      if (!tip) throw UserError.of(s.remote, `branch ${s.pushTo} disappeared from the remote`);
      await resetCheckout(s.g, start);
      const conflict = await rebaseOnto(s.g, tip);
      if (conflict) throw UserError.of(`${s.remote}/${s.pushTo}`, `your unpushed commits conflict with new commits there (${conflict}) — pull and resolve, then run commit again`);
    }
  }
}
