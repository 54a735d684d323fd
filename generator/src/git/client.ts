/**
 * The one way the tool runs git: simple-git with an allow-listed environment, so git never
 * prompts (a prompt nobody sees is a hang) and always answers in English (the error
 * classifier reads its messages), plus an inactivity timeout and an abort deadline.
 */
import { simpleGit, type SimpleGit } from 'simple-git';

/** Ambient variables git may need (to find itself, the user's config, ssh-agent, proxies). */
const PASS_THROUGH = [
  'PATH', 'HOME', 'USER', 'LOGNAME', 'TMPDIR', 'TEMP', 'TMP', 'XDG_CONFIG_HOME', 'SSH_AUTH_SOCK',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy',
  'SYSTEMROOT', 'COMSPEC', 'PATHEXT',
];

/** Guarded by simple-git (GIT_*), but only name who made a commit: CI often sets them. */
const IDENTITY = ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL'];

/**
 * The environment of every git child. Built from an allow-list, never from a copy of
 * `process.env`: simple-git refuses explicitly passed guarded keys (GIT_*, PAGER, EDITOR…).
 */
export function gitEnv(ambient: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of [...PASS_THROUGH, ...IDENTITY]) {
    const value = ambient[key];
    if (value !== undefined) env[key] = value;
  }
  return {
    ...env,
    LC_ALL: 'C',
    // No username/password prompt on a terminal, none from Git Credential Manager's GUI.
    GIT_TERMINAL_PROMPT: '0',
    GCM_INTERACTIVE: 'never',
  };
}

export interface GitOptions {
  /** Aborts whatever git command is running (the caller's overall deadline). */
  readonly signal?: AbortSignal;
  /**
   * Kills a git command that prints nothing for this long (a safety net under `signal`).
   * @default 600_000
   */
  readonly idleTimeoutMs?: number;
  /**
   * Network commands give up after this many seconds without data: curl's low-speed limit
   * and ssh's connect/keep-alive timeouts. Killing git alone is not enough — its transport
   * helper (git-remote-https, ssh) would live on and keep our pipes open.
   */
  readonly stallSeconds?: number;
  /** Extra `-c key=value` settings (e.g. a committer identity). */
  readonly config?: readonly string[];
  /**
   * Run ssh with BatchMode=yes (no passphrase or host-key question). Only set it when the
   * repository configures no ssh command of its own.
   * @default false
   */
  readonly batchSsh?: boolean;
}

/** A git client rooted at `dir`. Commands run one at a time (parallel ones collide on index.lock). */
export function git(dir: string, o: GitOptions = {}): SimpleGit {
  const stall = o.stallSeconds === undefined ? undefined : Math.max(1, Math.ceil(o.stallSeconds));
  const ssh = ['ssh -o BatchMode=yes', ...(stall ? [`-o ConnectTimeout=${stall}`, `-o ServerAliveInterval=${Math.max(1, Math.floor(stall / 3))}`, '-o ServerAliveCountMax=3'] : [])];
  const config = [
    ...(o.config ?? []),
    ...(stall ? ['http.lowSpeedLimit=1', `http.lowSpeedTime=${stall}`] : []),
    ...(o.batchSsh ? [`core.sshCommand=${ssh.join(' ')}`] : []),
  ];
  return simpleGit({
    baseDir: dir,
    maxConcurrentProcesses: 1,
    trimmed: false,
    config,
    allowEnvironment: ['GIT_TERMINAL_PROMPT', ...IDENTITY],
    timeout: { block: o.idleTimeoutMs ?? 600_000 },
    ...(o.signal ? { abort: o.signal } : {}),
    ...(o.batchSsh ? { unsafe: { allowUnsafeSshCommand: true } } : {}),
  }).env(gitEnv());
}

/**
 * The identity to commit with: the user's (config, or GIT_AUTHOR_* / GIT_COMMITTER_*, which
 * win over config), or a fallback so commits work on bare CI machines.
 */
export async function identityConfig(g: SimpleGit): Promise<string[]> {
  const get = async (key: string) => (await g.raw(['config', '--get', key]).catch(() => '')).trim();
  const [name, email] = [await get('user.name'), await get('user.email')];
  return [...(name ? [] : ['user.name=llm-gitops']), ...(email ? [] : ['user.email=llm-gitops@users.noreply.invalid'])];
}

/** Whether the repository (or the user) configures its own ssh command; if not, we may batch ssh. */
export async function hasSshCommand(g: SimpleGit): Promise<boolean> {
  return (await g.raw(['config', '--get', 'core.sshCommand']).catch(() => '')).trim() !== '';
}
