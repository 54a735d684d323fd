/**
 * environments/<env>/README.md: what the environment serves and the GPUs it asks for, per
 * resource and profile (accounting/gpus.ts). Handlebars, because this is text for people.
 */
import Handlebars from './handlebars.js';
import { gpuDemand, modelGpus } from '../accounting/gpus.js';
import { markdownHeader } from '../model/names.js';
import type { Environment } from '../model/types.js';
import type { OutputFile } from './output.js';

const TEMPLATE = Handlebars.compile(
  `# Environment \`{{env}}\`

Generated from [catalog.yaml](catalog.yaml) — edit that, then run \`llm-gitops generate\`.
Namespace \`{{namespace}}\`, KServe {{kserve}} (platform: {{mode}}).

| model | serves | replicas | GPUs |
| --- | --- | --- | --- |
{{#each models}}| \`{{name}}\` | \`{{served}}\` | {{replicas}} | {{gpus}} |
{{/each}}

## GPU demand

{{#if totals.length}}
| resource | profile | GPUs |
| --- | --- | --- |
{{#each totals}}| \`{{resource}}\` | {{profile}} | {{count}} |
{{/each}}

Replicas × pods per replica × GPUs per pod, prefill included; autoscaled models at their maximum,
stopped models at zero.
{{else}}
No GPUs: every model runs on CPU.
{{/if}}
`,
  { noEscape: true, strict: false },
);

const cell = (s: string) => s.replace(/[|`]/g, (c) => `\\${c}`);

export function renderEnvironmentReadme(env: Environment): OutputFile {
  const models = env.models.map((m) => {
    const g = modelGpus(m);
    const replicas = m.stopped ? 'stopped' : m.autoscaling ? `${m.autoscaling.min}–${m.autoscaling.max}` : String(m.replicas ?? 1);
    return { name: m.name, served: cell(m.servedName), replicas, gpus: g ? `${g.count} ${g.resource}${m.profile ? ` (${m.profile})` : ''}` : '–' };
  });
  const text = TEMPLATE({ env: env.name, namespace: env.namespace, kserve: env.platform.kserve, mode: env.platform.mode, models, totals: gpuDemand(env) });
  return { path: `environments/${env.name}/README.md`, content: markdownHeader(env.file) + text.replace(/\n{3,}/g, '\n\n') };
}
