/**
 * environments/<env>/delivery/README.md: the one command that bootstraps an environment, with the
 * environment's real names filled in. Handlebars, because this is text for people.
 */
import Handlebars from './handlebars.js';
import { markdownHeader } from '../model/names.js';
import type { Environment } from '../model/types.js';
import { deliveryNames } from './delivery-names.js';
import type { OutputFile } from './output.js';

const TEMPLATE = Handlebars.compile(
  `# Delivery of \`{{env}}\` with {{engineName}}

Apply once per cluster, after {{engineName}} is installed:

\`\`\`sh
kubectl apply -k {{dir}}
\`\`\`

This creates {{#if argocd}}the Application{{else}}the GitRepository and the Kustomization{{/if}} \`{{root}}\` in namespace
\`{{namespace}}\`. It delivers, from \`{{repoURL}}\` at \`{{revision}}\`, one unit per folder:

| unit | folder | order |
| --- | --- | --- |
{{#if platform}}| \`{{platform}}\` | \`{{platformPath}}\` | first |
{{/if}}| \`{{models}}\` | \`{{modelsPath}}\` | {{#if platform}}after \`{{platform}}\`{{else}}alone (platform.mode: none){{/if}} |

{{#if argocd}}
Make Argo CD's health truthful, once per Argo CD instance (it has no check for LLMInferenceService,
and without the Application check the root does not wait for the platform before the models):

\`\`\`sh
kubectl -n {{namespace}} patch configmap argocd-cm --type merge --patch-file {{healthDir}}/argocd-cm.patch.yaml
\`\`\`

For an Argo CD installed with kustomize, list \`{{healthDir}}\` under its \`components:\` instead.

Sync: {{#if automated}}automated (prune: {{prune}}, self-heal: {{selfHeal}}), retried with backoff{{else}}manual — sync \`{{root}}\`, then each unit in order{{/if}}.
{{else}}
\`{{models}}\` is Ready only when every LLMInferenceService is Ready for its current generation:

\`\`\`sh
flux get kustomizations -n {{namespace}} {{models}}
\`\`\`
{{/if}}

Removing \`{{root}}\` removes the models of \`{{env}}\`{{#if platform}} and leaves the platform running:
models' finalizers need its controller, and its CRDs are never pruned or deleted{{/if}}.
`,
  { noEscape: true, strict: true },
);

export function renderDeliveryReadme(env: Environment): OutputFile {
  const n = deliveryNames(env);
  const d = env.delivery;
  const text = TEMPLATE({
    env: env.name,
    argocd: d.engine === 'argocd',
    engineName: d.engine === 'argocd' ? 'Argo CD' : 'Flux',
    dir: n.dir,
    healthDir: n.healthDir,
    root: n.root,
    namespace: d.namespace,
    repoURL: d.repoURL,
    revision: d.revision,
    platform: env.platform.mode === 'none' ? '' : n.platform,
    platformPath: n.platformPath,
    models: n.models,
    modelsPath: n.modelsPath,
    automated: d.automated,
    prune: d.prune,
    selfHeal: d.selfHeal,
  });
  return { path: `${n.dir}/README.md`, content: markdownHeader(env.file) + text.replace(/\n{3,}/g, '\n\n') };
}
