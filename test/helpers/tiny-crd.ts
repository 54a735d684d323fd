/**
 * A synthetic LLMInferenceService CRD (v1alpha2) with the schema a test gives: not upstream's,
 * small enough that validate compiles it in milliseconds, so a test can run validate end to end
 * without the 2 MB upstream CRD. JSON is YAML, so the schema is written as JSON.
 */
export function llmisvcCrd(openAPIV3Schema: Record<string, unknown>): string {
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: llminferenceservices.serving.kserve.io }
spec:
  group: serving.kserve.io
  names: { kind: LLMInferenceService, plural: llminferenceservices }
  scope: Namespaced
  versions:
    - { name: v1alpha2, served: true, storage: true, schema: { openAPIV3Schema: ${JSON.stringify(openAPIV3Schema)} } }
`;
}
