/**
 * The files `llm-gitops init` writes once and people own afterwards: a first catalog (one
 * small CPU model), CODEOWNERS per environment, .gitignore, the README, the CI workflows.
 * Pure; `generate` then adds everything else.
 */
import type { DeliveryEngine } from '../model/types.js';
import { DEFAULT_KSERVE_VERSION } from '../model/kserve.js';
import type { ToolSource } from '../install/tool.js';
import type { OutputFile } from './output.js';
import { renderReadme } from './readme.js';
import { renderWorkflows, stringifySections } from './workflows.js';
import { CATALOG_SCHEMA_FILE, catalogSchemaText, SCHEMA_LINE } from '../catalog/schema-file.js';

export interface ScaffoldOptions {
  /** Name of the first environment (its folder under environments/). */
  readonly env: string;
  readonly engine: DeliveryEngine;
  /** The git URL Argo CD / Flux read the repository from (required unless engine is none). */
  readonly repoUrl?: string;
  /** GitHub user or team that approves changes (CODEOWNERS). */
  readonly owner: string;
  /** The branch delivery syncs from and CI commits to. */
  readonly branch: string;
  readonly toolVersion: string;
  /** Where CI and people install llm-gitops from. */
  readonly tool: ToolSource;
}

export const catalogPathOf = (env: string) => `environments/${env}/catalog.yaml`;

/** The first catalog: small enough to run on any cluster with CPUs only. */
export function renderCatalog(o: ScaffoldOptions): string {
  const catalog = {
    namespace: `llm-${o.env}`,
    platform: { mode: 'standalone', kserve: DEFAULT_KSERVE_VERSION, source: 'remote' },
    delivery: o.engine === 'none' ? { engine: 'none' } : { engine: o.engine, repoURL: o.repoUrl, revision: o.branch },
    profiles: {
      cpu: {
        accelerator: 'cpu',
        image: 'public.ecr.aws/q9t5s3a7/vllm-cpu-release-repo:v0.19.0',
        resources: { requests: { cpu: '100m', memory: '8Gi' }, limits: { cpu: '1', memory: '10Gi' } },
      },
    },
    defaults: {
      profile: 'cpu',
      router: 'direct',
      env: { VLLM_CPU_KVCACHE_SPACE: '1' },
      spec: { template: { containers: [{ name: 'main', securityContext: { runAsNonRoot: false } }] } },
    },
    models: { 'opt-125m': { uri: 'hf://facebook/opt-125m' } },
  };
  return [
    SCHEMA_LINE,
    `# The ${o.env} environment's models: the only hand-edited file of environments/${o.env}/.`,
    '# Change it, run `llm-gitops generate`, open a pull request. Editors check it against ../catalog.schema.json (`llm-gitops schema`).',
    '# The CPU vLLM image runs as root, hence the securityContext under defaults.spec.',
    stringifySections(catalog, '\n'),
  ].join('\n');
}

export function renderCodeowners(o: ScaffoldOptions): string {
  return [
    '# Scaffolded by `llm-gitops init`. Who approves changes, per environment.',
    '# base/ and overlays/ are shared by every environment.',
    `/base/ ${o.owner}`,
    `/overlays/ ${o.owner}`,
    `/environments/${o.env}/ ${o.owner}`,
    '',
  ].join('\n');
}

const GITIGNORE = `node_modules/
# An interrupted \`llm-gitops generate\` leaves its journal (the next run finishes it), and a
# running one holds a lock: neither is ever committed (llm-gitops refuses a committed journal).
.llm-gitops-journal.json*
.llm-gitops.lock
`;

/** Every scaffold file; `generated` is what `generate` will add (for the README's tree). */
export function renderScaffold(o: ScaffoldOptions, generated: readonly string[]): OutputFile[] {
  const own: OutputFile[] = [
    { path: catalogPathOf(o.env), content: renderCatalog(o) },
    { path: '.github/CODEOWNERS', content: renderCodeowners(o) },
    { path: '.gitignore', content: GITIGNORE },
    { path: CATALOG_SCHEMA_FILE, content: catalogSchemaText() },
    ...renderWorkflows({ tool: o.tool, branch: o.branch }),
  ];
  const readme = { path: 'README.md', content: renderReadme(o, [...own.map((f) => f.path), 'README.md', ...generated]) };
  return [...own, readme].sort((a, b) => (a.path < b.path ? -1 : 1));
}
