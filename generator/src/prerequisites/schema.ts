/**
 * The written shape of `platform.prerequisites` and `modelAccess` (catalog/schema.ts embeds
 * them). Every key is optional: what the models need is derived (requirements.ts), versions
 * default to the pins of the environment's KServe version (pins.ts).
 */
import { z } from '../catalog/zod.js';

const install = z.enum(['managed', 'external']).describe('managed: the tree installs it; external: it is already on the cluster (preflight checks it).');
const version = z
  .string()
  .regex(/^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/, 'must be a release version such as v1.17.0')
  .describe('@default the version KServe pins for the environment’s platform.kserve');

/** `managed`, `external`, or `{install, version}`. */
const entry = z.union([install, z.strictObject({ install: install.optional(), version: version.optional() })]);

/** A Helm-chart dependency also takes `source`: the chart from its registry, or the copy `vendor` made. */
const chartEntry = z.union([
  install,
  z.strictObject({
    install: install.optional(),
    version: version.optional(),
    source: z
      .enum(['remote', 'vendored'])
      .optional()
      .describe('vendored: install the chart `llm-gitops vendor --prerequisite <name>` copied into base/vendor/<name>/<version> (from this repository); remote: from its chart registry. @default remote'),
  }),
]);

const inferenceExtension = z
  .union([
    z.enum(['managed', 'external', 'bundled']),
    z.strictObject({ install: z.enum(['managed', 'external', 'bundled']).optional(), version: version.optional() }),
  ])
  .describe('InferencePool CRD (Gateway API Inference Extension). bundled: keep the copy KServe’s llmisvc manifests carry. @default managed when the tree installs the AI gateway, else bundled');

const gateway = z
  .union([
    install,
    z.strictObject({
      install: install.optional(),
      className: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS-1123 subdomain').max(253).optional().describe('GatewayClass name. @default envoy'),
    }),
  ])
  .describe('The GatewayClass and the Gateway kserve/kserve-ingress-gateway KServe routes through (the default of inferenceservice-config).');

export const prerequisitesSchema = z
  .strictObject({
    'cert-manager': chartEntry.optional().describe('cert-manager (Helm chart jetstack/cert-manager, CRDs included): KServe’s webhook and conversion certificates.'),
    'gateway-api': entry.optional().describe('Gateway API CRDs, standard channel (release manifest standard-install.yaml).'),
    'inference-extension': inferenceExtension.optional(),
    'envoy-gateway': chartEntry.optional().describe('Envoy Gateway (Helm charts gateway-crds-helm + gateway-helm): the Gateway implementation.'),
    'envoy-ai-gateway': entry.optional().describe('Envoy AI Gateway (Helm charts ai-gateway-crds-helm + ai-gateway-helm): InferencePool backends for the llm-d scheduler.'),
    gateway: gateway.optional(),
    leaderworkerset: entry.optional().describe('LeaderWorkerSet (release manifest manifests.yaml): multi-node (worker) models.'),
    keda: chartEntry.optional().describe('KEDA (Helm chart kedacore/keda): models with autoscaling engine keda.'),
  })
  .describe('KServe’s dependencies. Unlisted ones are installed when a model needs them (standalone), or expected on the cluster (addons: cert-manager and the gateway stack; none: everything).');

const externalSecret = z
  .strictObject({
    store: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS-1123 subdomain').max(253).describe('Name of the SecretStore / ClusterSecretStore.'),
    storeKind: z.enum(['ClusterSecretStore', 'SecretStore']).optional().describe('@default ClusterSecretStore'),
    remoteKey: z.string().min(1).describe('Key of the token in the external store (e.g. a Vault path).'),
    property: z.string().min(1).optional().describe('Property of the remote value that holds the token, when it is a map.'),
    refreshInterval: z.string().regex(/^([0-9]+(ms|s|m|h))+$/).optional().describe('@default 1h'),
  })
  .describe('Generate an ExternalSecret (External Secrets Operator) that creates this Secret with key HF_TOKEN.');

export const modelAccessSchema = z
  .record(
    z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Secret name (DNS-1123 subdomain)').max(253),
    z.strictObject({ externalSecret: externalSecret.optional() }),
  )
  .describe('Where the token Secrets models name in hfTokenSecret come from. Without an entry the Secret is created by hand (generate prints the kubectl command).');

export type PrerequisitesFile = z.infer<typeof prerequisitesSchema>;
export type ModelAccessFile = z.infer<typeof modelAccessSchema>;
