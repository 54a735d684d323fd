/**
 * Helm charts in vendored mode (`source: vendored` on a chart prerequisite): `vendor
 * --prerequisite <name>` puts the chart under base/vendor/<name>/<version>/ (Chart.yaml at its
 * top), and the unit installs it from this repository — Argo CD a git-path Helm source, Flux a
 * HelmRelease whose chart comes from the GitRepository. Pure: what each chart is called, and the
 * release steps a source checkout still needs (a packaged chart already has them).
 */

export interface VendoredChart {
  /** `name` in Chart.yaml; in a checkout the chart sits at charts/<chart> or deploy/charts/<chart>. */
  readonly chart: string;
  /**
   * values.yaml made at release from a template (`${Var}` substituted), when the checkout has
   * the template only: the project's own release step, which `helm package` output carries.
   */
  readonly valuesTemplate?: { readonly file: string; readonly vars: (version: string) => Readonly<Record<string, string>> };
  /** Folder (inside the chart) of the project's own CRDs, applied as a separate unit before the chart (skipCrds). */
  readonly crds?: string;
}

export const VENDORED_CHARTS: Readonly<Record<string, VendoredChart>> = {
  // Envoy Gateway's release (tools/make/helm.mk) fills values.tmpl.yaml with the release image.
  // Its own CRDs live in the bundled `crds` subchart, beside the Gateway API CRDs (experimental
  // channel) that the gateway-api unit owns — so only the generated/ folder is applied.
  'envoy-gateway': {
    chart: 'gateway-helm',
    valuesTemplate: { file: 'values.tmpl.yaml', vars: (v) => ({ GatewayImage: `docker.io/envoyproxy/gateway:${v}`, GatewayImagePullPolicy: 'IfNotPresent' }) },
    crds: 'charts/crds/crds/generated',
  },
  'cert-manager': { chart: 'cert-manager' },
  keda: { chart: 'keda' },
};

export const CHART_VENDORABLE = Object.keys(VENDORED_CHARTS);

/** base/vendor/<name>/<version>: the vendored chart (the same place as base/vendor/kserve/<version>). */
export const chartVendorDir = (name: string, version: string) => `base/vendor/${name}/${version}`;

/** Chart versions with or without the leading v are the same pin (Envoy Gateway tags v1.8.1, KEDA 2.18.0). */
export const sameVersion = (a: string, b: string) => a.replace(/^v/, '') === b.replace(/^v/, '');
