/**
 * The one way the tool serialises YAML: sorted keys (as kustomize prints them), YAML 1.1 quoting
 * (so `on`/`yes`/`0755` stay strings for Kubernetes' decoders), no anchors, no line folding.
 */
import { Document, type ToStringOptions, type DocumentOptions, type SchemaOptions, type CreateNodeOptions } from 'yaml';
import { yamlHeader } from '../model/names.js';

const OPTIONS: DocumentOptions & SchemaOptions & CreateNodeOptions & ToStringOptions = {
  version: '1.1',
  sortMapEntries: true,
  aliasDuplicateObjects: false,
  lineWidth: 0,
  minContentWidth: 0,
  indentSeq: false,
};

export function stringify(value: unknown): string {
  return new Document(dropUndefined(value), OPTIONS).toString(OPTIONS);
}

/** A generated YAML file: header, then one or more documents. */
export function yamlFile(source: string, ...docs: unknown[]): string {
  return yamlHeader(source) + docs.map((d) => stringify(d)).join('---\n');
}

function dropUndefined(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropUndefined);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = dropUndefined(x);
    return out;
  }
  return v;
}
