/**
 * GitHub Actions workflows for a GitOps repository made by `llm-gitops init` (also shipped in
 * scripts/ci/github/ for reading). Pull request: post what changes per environment, then
 * `check` and `validate`. Main: `commit --push`, which regenerates and commits only if the
 * tree is behind its catalogs. Built as objects, serialised by render/yaml.ts. Pure.
 */
import type { OutputFile } from './output.js';
import { stringify } from './yaml.js';
import { MARKDOWN_MARKER } from '../change/report.js';
import { ciInstallScript, describeTool, type ToolSource } from '../install/tool.js';

export interface WorkflowOptions {
  /** Where CI installs llm-gitops from (pinned: a new release never changes CI by surprise). */
  readonly tool: ToolSource;
  /** The branch Argo CD / Flux sync from. @default main */
  readonly branch: string;
}

export const WORKFLOW_DIR = '.github/workflows';

const HEADER = '# Scaffolded by `llm-gitops init`; yours to edit.\n';

/**
 * Top-level keys in the order people read them (name, on, … jobs), each section serialised by
 * the one stringify (sorted inside). Sections are separated by `gap`.
 */
export function stringifySections(obj: Record<string, unknown>, gap = ''): string {
  return Object.entries(obj)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => stringify({ [k]: v }))
    .join(gap);
}

function common(o: WorkflowOptions) {
  return {
    checkout: (fetchDepth: number) => ({ uses: 'actions/checkout@v4', with: { 'fetch-depth': fetchDepth } }),
    // The image brings its own Node; npm installs need one.
    setup: [
      ...(o.tool.kind === 'npm' ? [{ uses: 'actions/setup-node@v4', with: { 'node-version': '20' } }] : []),
      { name: `Install llm-gitops (${describeTool(o.tool)})`, run: ciInstallScript(o.tool) },
    ],
  };
}

/** Finds this workflow's earlier comment by the report's marker and edits it, else comments. */
const COMMENT_SCRIPT = `body="$RUNNER_TEMP/llm-gitops-diff.md"
id=$(gh api "repos/$GITHUB_REPOSITORY/issues/$PR/comments" --paginate \\
  --jq '.[] | select(.body | startswith("${MARKDOWN_MARKER}")) | .id' | tail -n 1)
if [ -n "$id" ]; then
  gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" -F body=@"$body" > /dev/null
else
  gh pr comment "$PR" --body-file "$body"
fi
`;

export function pullRequestWorkflow(o: WorkflowOptions): Record<string, unknown> {
  const c = common(o);
  return {
    name: 'llm-gitops (pull request)',
    on: { pull_request: { branches: [o.branch] } },
    permissions: { contents: 'read', 'pull-requests': 'write' },
    concurrency: { group: 'llm-gitops-pr-${{ github.event.pull_request.number }}', 'cancel-in-progress': true },
    jobs: {
      review: {
        'runs-on': 'ubuntu-latest',
        'timeout-minutes': 15,
        steps: [
          // Full history: the diff compares with the base branch.
          c.checkout(0),
          ...c.setup,
          {
            name: 'What changes, per environment',
            env: { BASE_REF: '${{ github.base_ref }}' },
            run: 'llm-gitops diff --base "origin/$BASE_REF" --format markdown --unified > "$RUNNER_TEMP/llm-gitops-diff.md"\ncat "$RUNNER_TEMP/llm-gitops-diff.md" >> "$GITHUB_STEP_SUMMARY"\n',
          },
          {
            name: 'Post it on the pull request',
            // A pull request from a fork gets a read-only token: the summary above still has it.
            'continue-on-error': true,
            env: { GH_TOKEN: '${{ github.token }}', PR: '${{ github.event.pull_request.number }}' },
            run: COMMENT_SCRIPT,
          },
          { name: 'The generated tree matches the catalogs', if: '${{ !cancelled() }}', run: 'llm-gitops check' },
          { name: 'Every generated object is valid', if: '${{ !cancelled() }}', run: 'llm-gitops validate' },
        ],
      },
    },
  };
}

export function mainWorkflow(o: WorkflowOptions): Record<string, unknown> {
  const c = common(o);
  return {
    name: 'llm-gitops (main)',
    on: { push: { branches: [o.branch] }, workflow_dispatch: {} },
    permissions: { contents: 'write' },
    // One at a time: a second run waits, then finds nothing left to commit.
    concurrency: { group: 'llm-gitops-main', 'cancel-in-progress': false },
    jobs: {
      generate: {
        'runs-on': 'ubuntu-latest',
        'timeout-minutes': 15,
        steps: [
          c.checkout(1),
          ...c.setup,
          {
            // Pushes with the workflow's GITHUB_TOKEN start no new workflow run, so this cannot loop.
            name: 'Generate, and commit if the tree is behind its catalogs',
            run: 'git config user.name "github-actions[bot]"\ngit config user.email "41898282+github-actions[bot]@users.noreply.github.com"\nllm-gitops commit --push\n',
          },
        ],
      },
    },
  };
}

/** Both workflows as files under `dir`. */
export function renderWorkflows(o: WorkflowOptions, dir = WORKFLOW_DIR): OutputFile[] {
  return [
    { path: `${dir}/llm-gitops-main.yaml`, content: HEADER + stringifySections(mainWorkflow(o)) },
    { path: `${dir}/llm-gitops-pr.yaml`, content: HEADER + stringifySections(pullRequestWorkflow(o)) },
  ];
}
