/**
 * The emitter in render/yaml.ts: everything it writes reads back identically under YAML 1.2 and
 * under YAML 1.1 (what Kubernetes' go-yaml decoders speak), and rewriting is a fixed point.
 */
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadRepository } from '../generator/src/catalog/repository.js';
import { renderTree } from '../generator/src/render/tree.js';
import { stringify } from '../generator/src/render/yaml.js';
import { exampleCatalogs } from './helpers/repo.js';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const read = (text: string, version: '1.1' | '1.2') =>
  parseAllDocuments(text, { version, uniqueKeys: true }).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS({ maxAliasCount: 0 });
  });

const TRICKY = [
  'on', 'off', 'On', 'Yes', 'y', 'N', 'null', 'Null', '~', 'true', 'False', '', ' lead', 'trail ', '0755', '1_000', '1e3', '1E3', '0x1F', '.5', '+1', '-1',
  '1:20', '2024-01-01', '.inf', '.NaN', '16Gi', '100m', '1', '1.5', '-', '- x', 'a: b', 'a #b', 'a:b', 'key:', '#x', '&a', '*a', '!t', '%p', '@x', '`x`',
  '|', '>', "'q'", '"q"', '{a}', '[a]', 'ghcr.io/x/y:v1@sha256:abc', '*/10 * * * *', 'tcp://*:5557', '{{ .Spec.Model.Name }}', 'a\tb', 'ünïcode', '=',
  'e01', 'e5', 'E5', '+e3', '.e1', 'e_1', '._', '.', '+.', 'e1x', 'v1e3',
  'multi\nline', 'multi\nline\n', 'multi\n\n', '  indented\nblock\n', 'trailing spaces  \nok', 'blank\n\nline\n', 'ws-only\n  \nline', 'cr\r\nlf', '\u2028',
];

describe('YAML emitter', () => {
  it('round-trips tricky strings as values, keys and list items under 1.2 and 1.1', () => {
    const value = { values: Object.fromEntries(TRICKY.map((s, i) => [`k${i}`, s])), keys: Object.fromEntries(TRICKY.map((s, i) => [s, i])), list: TRICKY, nums: [0, -1, 1.5, 1e21, 2 ** 31], bools: [true, false], nil: null, empty: [{}, [], ''] };
    const text = stringify(value);
    expect(read(text, '1.2')).toEqual([value]);
    expect(read(text, '1.1')).toEqual([value]);
  });

  it('every generated file of the examples and the test catalogs reads back the same under 1.1 and 1.2, and is a fixed point', () => {
    const fixtures = join(__dirname, 'fixtures', 'catalogs');
    const sources = [
      ...Object.entries(exampleCatalogs(false)).map(([env, text]) => ({ env, file: `environments/${env}/catalog.yaml`, text })),
      ...readdirSync(fixtures).map((f) => ({ env: f.replace('.yaml', ''), file: `environments/${f.replace('.yaml', '')}/catalog.yaml`, text: readFileSync(join(fixtures, f), 'utf8').replace('source: vendored', 'source: remote') })),
    ];
    const loaded = loadRepository(sources);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const files = renderTree(loaded.value).filter((f) => f.path.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(40);
    for (const f of files) {
      const docs = read(f.content, '1.2');
      expect(read(f.content, '1.1'), f.path).toEqual(docs);
      const body = f.content.replace(/^(#.*\n)+/, '');
      expect(docs.map((d) => stringify(d)).join('---\n'), f.path).toBe(body);
    }
  });
});
