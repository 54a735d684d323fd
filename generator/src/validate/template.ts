/**
 * kubeconform's schema-location templates, e.g.
 * `https://…/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`
 * or the CRDs-catalog form `{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`. Pure.
 */

/** What a template can refer to, for one apiVersion + kind. */
export interface TemplateVars {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** `v1.34.1` or `master` (kubeconform's default). */
  readonly kubernetesVersion?: string;
}

/** Fills every `{{ .Name }}`; an unknown variable is an error (a typo would otherwise 404 quietly). */
export function renderTemplate(template: string, v: TemplateVars): string {
  const firstLabel = v.group.split('.')[0] ?? '';
  const values: Record<string, string> = {
    NormalizedKubernetesVersion: v.kubernetesVersion ?? 'master',
    StrictSuffix: '-strict',
    ResourceKind: v.kind.toLowerCase(),
    ResourceAPIVersion: v.version,
    Group: v.group,
    KindSuffix: firstLabel ? `-${firstLabel}-${v.version}` : `-${v.version}`,
  };
  return template.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`schema location template ${template}: unknown variable .${name} (known: ${Object.keys(values).join(', ')})`);
    return value;
  });
}
