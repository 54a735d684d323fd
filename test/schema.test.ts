/** The editor schema in the repository is the code's schema, and it accepts the example catalogs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { catalogJsonSchema } from '../generator/src/catalog/schema.js';
import { exampleCatalogs, PROJECT } from './helpers/repo.js';

const committed = JSON.parse(readFileSync(join(PROJECT, 'generator/schema/catalog.schema.json'), 'utf8'));

describe('catalog JSON Schema', () => {
  it('generator/schema/catalog.schema.json equals the code schema (run `npm run schema` to refresh)', () => {
    expect(committed).toEqual(catalogJsonSchema());
  });

  it('accepts the example catalogs and rejects a typo, like the CLI does', () => {
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(committed);
    for (const [env, text] of Object.entries(exampleCatalogs(false))) {
      expect(validate(parse(text)), `${env}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(validate({ namespace: 'x', models: { a: { uri: 'hf://a/b', gpu: 1 } } })).toBe(false);
    expect(validate({ namespace: 'x', models: { a: { uri: 'ftp://a/b' } } })).toBe(false);
  });

  it('every example catalog points editors at the schema', () => {
    for (const text of Object.values(exampleCatalogs(false))) {
      expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../../generator/schema/catalog.schema.json');
    }
  });
});
