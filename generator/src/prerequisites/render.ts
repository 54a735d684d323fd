/**
 * Prerequisites → files: the release-manifest kustomizations under base/prerequisites (shared by
 * every environment on that version), and per environment the Gateway objects, the Flux chart
 * folders, the ExternalSecrets of tokens, and a README saying what the tree installs and what
 * must already exist. Pure.
 */
import Handlebars from '../render/handlebars.js';
import { markdownHeader } from '../model/names.js';
import type { Environment, JsonObject, PlatformSource } from '../model/types.js';
import { envDir } from '../render/environment.js';
import { kustomization } from '../render/kustomization.js';
import type { OutputFile } from '../render/output.js';
import { stringify, yamlDocs } from '../render/yaml.js';
import { fluxChartFiles } from './flux.js';
import { createSecretCommand, externalSecret, gateway, gatewayClass, gatewayNamespace, releaseKustomization } from './objects.js';
import { requirementsOf } from './requirements.js';
import { prerequisiteDir, unitsOf } from './units.js';

const RELEASE_UNITS = new Set(['gateway-api', 'inference-extension', 'leaderworkerset']);

/** base/prerequisites/<name>/<version>/kustomization.yaml for every release-manifest unit in use (first environment's source wins, as for base/<kserve>). */
export function renderPrerequisiteBases(envs: readonly Environment[]): OutputFile[] {
  const bases = new Map<string, { name: string; version: string; source: PlatformSource }>();
  for (const env of envs) {
    for (const u of unitsOf(env)) {
      if (u.source.type !== 'path' || !RELEASE_UNITS.has(u.id)) continue;
      if (!bases.has(u.source.path)) bases.set(u.source.path, { name: u.id, version: u.version, source: env.platform.source });
    }
  }
  return [...bases].map(([path, b]) => ({ path: `${path}/kustomization.yaml`, ...yamlDocs('the catalogs', releaseKustomization(b.name, b.version, b.source)) }));
}

/** Files of one environment's prerequisites (gateway, Flux chart folders, README). */
export function renderPrerequisites(env: Environment, omit: { readonly readmes?: boolean } = {}): OutputFile[] {
  const files: OutputFile[] = [];
  const units = unitsOf(env);
  if (units.some((u) => u.id === 'gateway')) {
    const dir = prerequisiteDir(env, 'gateway');
    const flux = env.delivery.engine === 'flux';
    files.push(
      { path: `${dir}/kustomization.yaml`, ...yamlDocs(env.file, kustomization({ resources: [...(flux ? ['namespace.yaml'] : []), 'gatewayclass.yaml', 'gateway.yaml'] })) },
      ...(flux ? [{ path: `${dir}/namespace.yaml`, ...yamlDocs(env.file, gatewayNamespace()) }] : []),
      { path: `${dir}/gatewayclass.yaml`, ...yamlDocs(env.file, gatewayClass(env)) },
      { path: `${dir}/gateway.yaml`, ...yamlDocs(env.file, gateway(env)) },
    );
  }
  if (env.delivery.engine === 'flux') files.push(...fluxChartFiles(env));
  if (!omit.readmes) files.push(readme(env));
  return files;
}

/** Token Secrets the models name, as `[path under environments/<env>, ExternalSecret]` for those with a store. */
export function tokenResources(env: Environment): [string, JsonObject][] {
  return env.modelAccess.filter((t) => t.externalSecret && tokenSecrets(env).includes(t.secret)).map((t) => [`secrets/${t.secret}.yaml`, externalSecret(env, t)]);
}

/** Secret names models reference in hfTokenSecret, sorted. */
export function tokenSecrets(env: Environment): string[] {
  return [...new Set(env.models.flatMap((m) => (m.hfTokenSecret ? [m.hfTokenSecret] : [])))].sort();
}

/** Token Secrets nobody generates: the one command that creates each (generate prints them). */
export function manualSecrets(env: Environment): { secret: string; command: string }[] {
  const external = new Set(env.modelAccess.filter((t) => t.externalSecret).map((t) => t.secret));
  return tokenSecrets(env)
    .filter((s) => !external.has(s))
    .map((secret) => ({ secret, command: createSecretCommand(env.namespace, secret) }));
}

/** Patches for environments/<env>/platform: drop the InferencePool CRD KServe bundles when another source owns it. */
export function platformPatches(env: Environment): JsonObject[] {
  const ie = requirementsOf(env).find((r) => r.name === 'inference-extension');
  if (!ie || ie.install === 'bundled') return [];
  return [{ patch: stringify({ $patch: 'delete', apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'inferencepools.inference.networking.k8s.io' } }) }];
}

const README = Handlebars.compile(
  `# Prerequisites of \`{{env}}\`

KServe {{kserve}} (platform.mode: {{mode}}) needs these on the cluster. **managed**: this tree
installs it, before the KServe platform, in the order below; **external**: it must already be
there (preflight checks it); **bundled**: it comes with KServe's own manifests.

| dependency | install | version | why |
| --- | --- | --- | --- |
{{#each requirements}}
| {{name}} | {{install}} | {{#if version}}{{version}}{{else}}–{{/if}} | {{why}} |
{{/each}}
{{#if units.length}}

Delivered as (sync wave, unit, source):

{{#each units}}
- wave {{wave}}: \`{{name}}\` — {{source}}
{{/each}}
{{/if}}
{{#if manual.length}}

## Token Secrets

The models read their Hugging Face token from a Secret the tree never holds. Create it once:

\`\`\`sh
{{#each manual}}
{{command}}
{{/each}}
\`\`\`
{{/if}}
{{#if external.length}}

## Token Secrets from External Secrets

The External Secrets Operator creates these from your store (the tree holds only the reference):

{{#each external}}
- \`{{secret}}\`: ExternalSecret from {{kind}} \`{{store}}\`, key \`{{key}}\`
{{/each}}
{{/if}}
`,
  { noEscape: true },
);

function readme(env: Environment): OutputFile {
  const units = unitsOf(env).map((u) => ({
    wave: u.wave,
    name: `${env.name}-${u.id}`,
    source:
      u.source.type !== 'chart'
        ? `\`${u.source.path}\``
        : u.source.vendored
          ? `chart ${u.source.chart.chart} ${u.source.chart.version} vendored at \`${u.source.vendored}\``
          : `chart ${u.source.chart.chart} ${u.source.chart.version} from ${u.source.chart.repo}`,
  }));
  const text = README({
    env: env.name,
    kserve: env.platform.kserve,
    mode: env.platform.mode,
    requirements: requirementsOf(env),
    units,
    manual: manualSecrets(env),
    external: env.modelAccess.filter((t) => t.externalSecret).map((t) => ({ secret: t.secret, kind: t.externalSecret!.storeKind, store: t.externalSecret!.store, key: t.externalSecret!.remoteKey })),
  });
  return { path: `${envDir(env)}/prerequisites/README.md`, content: markdownHeader(env.file) + text };
}
