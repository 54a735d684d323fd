/** `init` gives the new repository the catalog schema and points its catalog at it; `check` keeps the copy current. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers/repo.js';

let t: { dir: string; cleanup: () => void } | undefined;
afterEach(() => t?.cleanup());

describe('init: the catalog schema for editors', () => {
  it('writes environments/catalog.schema.json = `llm-gitops schema`, the catalog names it, check fails on a stale copy', async () => {
    t = tempDir();
    const dir = join(t.dir, 'gitops');
    expect(await cli(['init', dir, '--tool', 'git+https://git.example.com/org/kserve-llm-gitops.git#v0.1.0'], t.dir)).toMatchObject({ code: 0, stderr: '' });
    const catalog = readFileSync(join(dir, 'environments/dev/catalog.yaml'), 'utf8');
    expect(catalog.split('\n')[0]).toBe('# yaml-language-server: $schema=../catalog.schema.json');
    const file = join(dir, 'environments/catalog.schema.json');
    const schema = await cli(['schema'], dir);
    expect(readFileSync(file, 'utf8')).toBe(schema.stdout);
    expect(JSON.parse(schema.stdout)).toMatchObject({ title: 'llm-gitops catalog', properties: { models: {} } });
    expect(await cli(['check'], dir)).toMatchObject({ code: 0, stdout: 'up to date\n' });

    // An older tool's schema (here: one without `models`) is caught.
    const old = JSON.parse(schema.stdout) as { properties: Record<string, unknown> };
    delete old.properties.models;
    writeFileSync(file, `${JSON.stringify(old, null, 2)}\n`);
    const stale = await cli(['check'], dir);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('environments/catalog.schema.json: is not the catalog schema of this llm-gitops — editors would check the catalogs against other rules than generate; run `llm-gitops schema > environments/catalog.schema.json` and commit it\nstale: 1 file(s) — fix each as its line says, then commit\n');
  });
});
