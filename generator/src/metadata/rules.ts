/**
 * The catalog rule applying Kubernetes' metadata rules where the catalog feeds them: model and
 * `defaults` labels and annotations (the LLMInferenceService's metadata), and profile node
 * selectors (label keys and values of nodes).
 */
import type { Issue } from '../errors.js';
import type { CatalogDocument, PathKey } from '../catalog/document.js';
import type { CatalogFile } from '../catalog/schema.js';
import { withDefaults } from '../catalog/normalize.js';
import { annotationBytes, ANNOTATIONS_MAX_BYTES, labelValueProblem, qualifiedNameProblem } from './kubernetes.js';

type StringMap = Readonly<Record<string, string>> | undefined;

function keysAndValues(doc: CatalogDocument, path: PathKey[], map: StringMap, values: boolean): Issue[] {
  const issues: Issue[] = [];
  for (const [k, v] of Object.entries(map ?? {})) {
    const bad = qualifiedNameProblem(k);
    if (bad) issues.push(doc.at([...path, k], bad, { onKey: true }));
    const badValue = values ? labelValueProblem(v) : undefined;
    if (badValue) issues.push(doc.at([...path, k], badValue));
  }
  return issues;
}

type Written = { labels?: StringMap; annotations?: StringMap };

export function kubernetesMetadata(c: CatalogFile, doc: CatalogDocument): Issue[] {
  const issues: Issue[] = [];
  // Keys and values where they are written (templates are merged into the models by now).
  const raw = doc.data as { defaults?: Written; models?: Record<string, Written>; templates?: Record<string, Written> };
  const written: [PathKey[], Written | undefined][] = [
    [['defaults'], raw.defaults],
    ...Object.entries(raw.templates ?? {}).map(([n, t]): [PathKey[], Written] => [['templates', n], t]),
    ...Object.entries(raw.models ?? {}).map(([n, m]): [PathKey[], Written] => [['models', n], m]),
  ];
  for (const [at, w] of written) issues.push(...keysAndValues(doc, [...at, 'labels'], w?.labels, true), ...keysAndValues(doc, [...at, 'annotations'], w?.annotations, false));
  for (const [name, p] of Object.entries(c.profiles ?? {})) issues.push(...keysAndValues(doc, ['profiles', name, 'nodeSelector'], p.nodeSelector, true));
  const d = c.defaults;
  for (const [key, m] of Object.entries(c.models)) {
    const merged = withDefaults(d, m).annotations;
    const bytes = annotationBytes(merged ?? {});
    if (bytes > ANNOTATIONS_MAX_BYTES) {
      const at: PathKey[] = m.annotations ? ['models', key, 'annotations'] : ['defaults', 'annotations'];
      issues.push(doc.at(at, `the annotations of ${key} total ${bytes} bytes; Kubernetes allows ${ANNOTATIONS_MAX_BYTES} (256 KiB) per object — move large data into a ConfigMap and reference it`));
    }
  }
  return issues;
}
