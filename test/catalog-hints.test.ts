/** Catalog mistakes a new user makes, with the message they see: an empty `models:`, a download size without a unit. */
import { afterEach, describe, expect, it } from 'vitest';
import { cli, repoWith, snapshot } from './helpers/repo.js';

let t: { dir: string; cleanup: () => void } | undefined;
afterEach(() => t?.cleanup());

describe('catalog hints', () => {
  it('models: left empty says to write models: {}', async () => {
    t = repoWith({ dev: 'namespace: llm-dev\nmodels:\n' });
    const r = await cli(['generate'], t.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('environments/dev/catalog.yaml:2:8: models: is empty (null) — write `models: {}` for none yet, or put its entries under it, indented\n');
    expect([...snapshot(t.dir).keys()]).toEqual(['environments/dev/catalog.yaml']);
  });

  it('download: {size: 200} needs a unit (a bare number is bytes)', async () => {
    t = repoWith({ dev: 'namespace: llm-dev\nmodels:\n  big:\n    uri: pvc://store/big\n    resources: { cpu: "1", memory: 4Gi }\n    download: { from: hf://Qwen/Qwen2.5-7B-Instruct, size: 200 }\n' });
    const r = await cli(['generate'], t.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('models.big.download.size: 200 needs a unit, e.g. 200Gi (a bare number is bytes to Kubernetes)');
  });
});
