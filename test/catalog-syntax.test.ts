/** A YAML syntax mistake in a catalog gives one message, at its line, saying how to fix the indentation. */
import { afterEach, describe, expect, it } from 'vitest';
import { cli, repoWith, snapshot } from './helpers/repo.js';

let t: { dir: string; cleanup: () => void } | undefined;
afterEach(() => t?.cleanup());

const HEAD = 'namespace: llm-dev\nmodels:\n  qwen:\n';

async function generate(catalog: string): Promise<string> {
  t = repoWith({ dev: catalog });
  const r = await cli(['generate'], t.dir);
  expect(r.code).toBe(1);
  expect([...snapshot(t.dir).keys()]).toEqual(['environments/dev/catalog.yaml']);
  return r.stderr;
}

describe('catalog syntax errors', () => {
  it('a key left at its parent’s column: one message, indent it under the parent', async () => {
    const stderr = await generate(`${HEAD}  uri: hf://Qwen/Qwen2.5-0.5B-Instruct\n    resources: { cpu: "1", memory: 4Gi }\n`);
    expect(stderr).toBe('environments/dev/catalog.yaml:4:3: bad indentation: `qwen:` has no value, so `uri:` belongs under it — indent `uri:` under `qwen:` by two spaces, like `resources:` below it\n');
  });

  it('tabs: one message at the first tab, use spaces', async () => {
    const stderr = await generate(`${HEAD}\turi: hf://Qwen/Qwen2.5-0.5B-Instruct\n\tresources: { cpu: "1", memory: 4Gi }\n`);
    expect(stderr).toBe('environments/dev/catalog.yaml:4:1: tabs are not allowed for indentation in YAML; use spaces (1 more line below indents with a tab too)\n');
  });

  it('a key between two columns: line it up with the key above', async () => {
    const stderr = await generate(`${HEAD}    uri: hf://Qwen/Qwen2.5-0.5B-Instruct\n   resources: { cpu: "1", memory: 4Gi }\n`);
    expect(stderr).toBe('environments/dev/catalog.yaml:5:4: bad indentation: `resources:` lines up with no key above it — indent it one space more to line it up with `uri:`, or one space less to line it up with `qwen:`\n');
  });

  it('a key deeper than a key that has a value: line it up', async () => {
    const stderr = await generate(`${HEAD}    uri: hf://Qwen/Qwen2.5-0.5B-Instruct\n      resources: { cpu: "1", memory: 4Gi }\n`);
    expect(stderr).toBe('environments/dev/catalog.yaml:5:7: bad indentation: `resources:` is indented deeper than `uri:` above it, which already has a value — line `resources:` up with `uri:` (two spaces less)\n');
  });

  it('block scalars above the mistake are text, not keys: the message is at the real mistake', async () => {
    const stderr = await generate(`${HEAD}    uri: hf://Qwen/Qwen2.5-0.5B-Instruct\n    args:\n      - |\n        foo: bar\n          baz: 1\n    resources: { cpu: "1", memory: 4Gi }\n     name: x\n`);
    expect(stderr).toBe('environments/dev/catalog.yaml:10:6: bad indentation: `name:` is indented deeper than `resources:` above it, which already has a value — line `name:` up with `resources:` (one space less)\n');
  });

  it('another syntax error: the parser’s first message only', async () => {
    const stderr = await generate(`${HEAD}    uri: "hf://Qwen/Qwen2.5-0.5B-Instruct\n`);
    expect(stderr).toBe('environments/dev/catalog.yaml:5:1: Missing closing "quote\n');
  });

  it('valid continuation lines and block scalars are not mistaken for indentation errors', async () => {
    t = repoWith({ dev: `${HEAD}    uri: hf://Qwen/Qwen2.5-0.5B-Instruct\n    resources: { cpu: "1", memory: 4Gi }\n    args:\n      - --max-model-len\n      - "4096"\n    annotations:\n      note: a long\n        text\n` });
    const r = await cli(['generate', '--dry-run'], t.dir);
    expect(r.stderr).not.toContain('indentation');
    expect(r.code).toBe(0);
  });
});
