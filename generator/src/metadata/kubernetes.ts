/**
 * Kubernetes' own rules for object metadata (apimachinery's ValidateLabels, ValidateAnnotations,
 * IsQualifiedName, IsValidLabelValue), applied to what the catalog puts into labels, annotations
 * and node selectors — so a bad key fails at its catalog line, not at sync time. Pure.
 */

/** Annotations of one object may hold at most this many bytes (keys + values). */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;
const NAME_MAX = 63;
const PREFIX_MAX = 253;
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** What is wrong with a label or annotation key (`prefix/name`), or undefined. */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return `key "${show(key)}" has more than one "/" — a key is [prefix/]name`;
  const [prefix, name] = parts.length === 2 ? [parts[0]!, parts[1]!] : [undefined, parts[0]!];
  if (prefix !== undefined) {
    if (!prefix) return `key "${show(key)}" has an empty prefix before "/"`;
    if (prefix.length > PREFIX_MAX) return `the prefix of key "${show(key)}" is ${prefix.length} characters; at most ${PREFIX_MAX}`;
    if (!DNS_SUBDOMAIN.test(prefix)) return `the prefix of key "${show(key)}" must be a DNS subdomain (lower-case letters, digits, "-" and ".", e.g. example.com)`;
  }
  if (!name) return `key "${show(key)}" has an empty name`;
  if (name.length > NAME_MAX) return `the name part of key "${show(key)}" is ${name.length} characters; at most ${NAME_MAX} (put the detail into a prefix or shorten it)`;
  if (!NAME.test(name)) return `the name part of key "${show(key)}" must be letters, digits, "-", "_" or ".", starting and ending with a letter or digit`;
  return undefined;
}

/** What is wrong with a label value, or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > NAME_MAX) return `a label value is at most ${NAME_MAX} characters, this one has ${value.length} — shorten it, or make it an annotation`;
  if (!NAME.test(value)) return `a label value must be letters, digits, "-", "_" or ".", starting and ending with a letter or digit (or empty) — "${show(value)}" is not; make it an annotation if it must hold other text`;
  return undefined;
}

/** Bytes the API server counts for a set of annotations. */
export function annotationBytes(annotations: Readonly<Record<string, string>>): number {
  let n = 0;
  for (const [k, v] of Object.entries(annotations)) n += Buffer.byteLength(k) + Buffer.byteLength(v);
  return n;
}

function show(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
