/**
 * Where a scaffolded repository's CI (and its people) get llm-gitops from: `init --tool <spec>`,
 * or the source the running tool was installed from (install/origin.ts). Pure: a spec in, the
 * shell lines that install it out.
 *
 * - an npm install spec — a git URL with a tag or commit (`git+https://host/org/kserve-llm-gitops.git#v0.1.0`),
 *   a tarball URL or path (`./tools/kserve-llm-gitops-0.1.0.tgz`), or a registry `name@version`
 *   → `npm install --global <spec>`;
 * - `docker://IMAGE` — the image the Dockerfile builds → a `llm-gitops` wrapper around `docker run`.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Issue } from '../errors.js';

export type ToolSource =
  | { readonly kind: 'npm'; readonly spec: string }
  | { readonly kind: 'image'; readonly image: string };

export const IMAGE_PREFIX = 'docker://';

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const looksLikePath = (spec: string) => /^(\.{1,2}[\\/]|[\\/]|~[\\/])/.test(spec) || (!SCHEME.test(spec) && /\.(tgz|tar\.gz)$/.test(spec));

/**
 * Reads `--tool`. A path is taken from `cwd`; inside the new repository it becomes
 * repository-relative (CI installs it from the checkout), outside it stays absolute and is
 * warned about (no CI runner can read it).
 */
export function parseToolSpec(spec: string, o: { cwd: string; repoDir: string }): { tool: ToolSource; warnings: Issue[] } | { error: string } {
  const text = spec.trim();
  if (!text) return { error: '--tool is empty' };
  if (/\s/.test(text)) return { error: `--tool ${JSON.stringify(spec)}: a spec has no spaces` };
  if (text.startsWith(IMAGE_PREFIX)) {
    const image = text.slice(IMAGE_PREFIX.length);
    if (!/^[a-z0-9][a-z0-9._/-]*(:[\w.-]+)?(@sha256:[0-9a-f]{64})?$/.test(image) || !/[:@]/.test(image)) {
      return { error: `--tool ${spec}: name a pinned image, e.g. docker://ghcr.io/your-org/llm-gitops:0.1.0 (a tag or @sha256 digest)` };
    }
    return { tool: { kind: 'image', image }, warnings: [] };
  }
  if (!looksLikePath(text)) return { tool: { kind: 'npm', spec: text }, warnings: [] };
  return localPath(text.startsWith('~') ? text.replace(/^~/, process.env.HOME ?? '~') : resolve(o.cwd, text), o.repoDir);
}

/** A tarball or folder on this machine, as `npm install` wants it from the repository root. */
export function localPath(abs: string, repoDir: string): { tool: ToolSource; warnings: Issue[] } {
  const rel = relative(repoDir, abs);
  if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return { tool: { kind: 'npm', spec: `./${rel.split(sep).join('/')}` }, warnings: [] };
  const message = 'CI would install llm-gitops from this path, which only this machine has — pass --tool with a git URL and tag, a tarball URL, a tarball copied into the repository (./tools/<it>.tgz) or docker://<image>:<tag>';
  return { tool: { kind: 'npm', spec: abs }, warnings: [{ file: abs, message, severity: 'warning' }] };
}

const shellQuote = (s: string) => (/^[\w@%+=:,./#~-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The `docker run` that stands for `llm-gitops`: the whole checkout mounted (git needs it), run where you stand. */
export function dockerCommand(image: string): string {
  return `docker run --rm -u "$(id -u):$(id -g)" -e HOME=/tmp -v "$(git rev-parse --show-toplevel):/repo" -w "/repo/$(git rev-parse --show-prefix)" ${shellQuote(image)}`;
}

/** Shell lines that put `llm-gitops` on the PATH of a GitHub Actions job. */
export function ciInstallScript(t: ToolSource): string {
  if (t.kind === 'npm') return `npm install --global --no-audit --no-fund ${shellQuote(t.spec)}\nllm-gitops --version\n`;
  return [
    `docker pull --quiet ${shellQuote(t.image)}`,
    'mkdir -p "$RUNNER_TEMP/llm-gitops-bin"',
    "cat > \"$RUNNER_TEMP/llm-gitops-bin/llm-gitops\" <<'EOF'",
    '#!/bin/sh',
    `exec ${dockerCommand(t.image)} "$@"`,
    'EOF',
    'chmod +x "$RUNNER_TEMP/llm-gitops-bin/llm-gitops"',
    'echo "$RUNNER_TEMP/llm-gitops-bin" >> "$GITHUB_PATH"',
    '',
  ].join('\n');
}

/** The one line a person runs to install it (scaffold README). */
export function installCommand(t: ToolSource): string {
  return t.kind === 'npm' ? `npm install --global ${shellQuote(t.spec)}` : `docker pull ${shellQuote(t.image)} && alias llm-gitops='${dockerCommand(t.image)}'`;
}

/** How `init --tool` names it back (notes, README). */
export function describeTool(t: ToolSource): string {
  return t.kind === 'npm' ? t.spec : `${IMAGE_PREFIX}${t.image}`;
}

/** The source the example workflows in scripts/ci/github show (`init` fills in the real one). */
export const exampleTool = (version: string): ToolSource => ({ kind: 'npm', spec: `git+https://github.com/your-org/kserve-llm-gitops.git#v${version}` });
