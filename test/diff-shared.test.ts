/**
 * `diff` renders only what its two revisions do not share (change/shared.ts): a catalog both
 * sides hold is loaded once and none of its files rendered; in a changed catalog, only the
 * models whose entry or folder changed. The review must be byte for byte what rendering both
 * revisions in full gives — every format, with the unified YAML — for edits of a model, of an
 * environment's settings, models added and removed, a shard threshold crossed, environments
 * added and removed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diff } from '../generator/src/commands/diff.js';
import { loadRepository, type LoadMemo } from '../generator/src/catalog/repository.js';
import { renderTree } from '../generator/src/render/tree.js';
import { sharedRendering } from '../generator/src/change/shared.js';
import { tempDir } from './helpers/repo.js';
import { git, write } from './helpers/gitops-repo.js';

const model = (name: string, extra = '') => `  ${name}: { uri: hf://facebook/${name}, accelerator: cpu, router: none${extra} }\n`;
const catalog = (ns: string, models: string[], delivery = '') =>
  `namespace: ${ns}\nplatform: { mode: none }\n${delivery}defaults: { resources: { cpu: "1", memory: 4Gi } }\nmodels:\n${models.join('')}`;
const ARGO = 'delivery: { engine: argocd, repoURL: https://git.example.com/models.git, shardAbove: 3, shards: 2 }\n';

const BASE: Record<string, string> = {
  a: catalog('llm-a', [model('m1'), model('m2', ', replicas: 2'), model('m3')]),
  b: catalog('llm-b', [model('m1'), model('m2')]),
  c: catalog('llm-c', [model('m1'), model('m2'), model('m3')], ARGO),
  d: catalog('llm-d', [model('m1'), model('m2'), model('m3'), model('m4'), model('m5')], ARGO),
  e: catalog('llm-e', [model('m1'), model('m2')]),
  gone: catalog('llm-gone', [model('m1')]),
};

const EDITED: Record<string, string | undefined> = {
  a: catalog('llm-a', [model('m1'), model('m2', ', replicas: 5'), model('m4')]), // changed, removed, added
  b: BASE.b, // untouched
  c: catalog('llm-c', [model('m1'), model('m2'), model('m3'), model('m4')], ARGO), // crosses shardAbove: every model moves to a shard
  d: catalog('llm-d', [model('m1'), model('m2', ', replicas: 3'), model('m3'), model('m4'), model('m5')], ARGO), // sharded, one model changes
  e: catalog('llm-e2', [model('m1'), model('m2')]), // a setting: every model's files change
  gone: undefined,
  fresh: catalog('llm-fresh', [model('m1')]),
};

let repo: { dir: string; cleanup: () => void };
beforeAll(() => {
  repo = tempDir('llm-gitops-diff-shared-');
  git(repo.dir, 'init', '--quiet', '--initial-branch=main');
  for (const [env, text] of Object.entries(BASE)) write(repo.dir, `environments/${env}/catalog.yaml`, text);
  git(repo.dir, 'add', '-A');
  git(repo.dir, 'commit', '--quiet', '-m', 'base');
  git(repo.dir, 'rm', '--quiet', '-r', 'environments/gone');
  for (const [env, text] of Object.entries(EDITED)) if (text !== undefined) write(repo.dir, `environments/${env}/catalog.yaml`, text);
});
afterAll(() => repo.cleanup());

describe('diff renders only what changed', () => {
  for (const format of ['text', 'markdown', 'json'] as const) {
    it(`${format} with --unified: the same bytes as rendering both revisions in full`, async () => {
      const opts = { root: repo.dir, base: 'HEAD', format, unified: true };
      const [shared, full] = [await diff(opts), await diff({ ...opts, renderAll: true })];
      expect(shared.report).toBe(full.report);
      expect(shared.warnings).toStrictEqual(full.warnings);
      expect(shared.review).toStrictEqual(full.review);
      if (format === 'text') {
        // The review has something in it from each kind of edit.
        for (const line of [/a: m2 replicas 2 → 5/, /a: m3 removed/, /a: m4 added/, /c: m4 added/, /d: m2 replicas 1 → 3/, /e: namespace llm-e → llm-e2/, /fresh/, /gone/]) expect(full.report).toMatch(line);
        expect(full.report).toMatch(/environments\/c\/shards\//);
      }
    });
  }

  it('--env and a base where nothing changed give the same bytes too', async () => {
    for (const o of [{ envs: ['a', 'b'] }, { envs: ['b'] }]) {
      const opts = { root: repo.dir, base: 'HEAD', format: 'text' as const, unified: true, ...o };
      expect((await diff(opts)).report).toBe((await diff({ ...opts, renderAll: true })).report);
    }
  });

  it('leaves out the files both sides share: an untouched catalog entirely, unchanged models of an edited one', () => {
    const memo: LoadMemo = new Map();
    const load = (texts: Record<string, string | undefined>) => {
      const r = loadRepository(Object.entries(texts).flatMap(([env, text]) => (text === undefined ? [] : [{ env, file: `environments/${env}/catalog.yaml`, text }])), undefined, memo);
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      return r.value;
    };
    const [before, after] = [load(BASE), load(EDITED)];
    const omit = sharedRendering(before, after);
    const paths = (files: { path: string }[]) => new Set(files.map((f) => f.path));
    const [all, some] = [paths(renderTree(after)), paths(renderTree(after, omit))];
    expect([...some].every((p) => all.has(p))).toBe(true);
    const left = [...all].filter((p) => !some.has(p));
    expect(left.filter((p) => p.startsWith('environments/b/')).sort()).toEqual([...all].filter((p) => p.startsWith('environments/b/')).sort()); // same text: nothing of b
    expect(left.some((p) => p.startsWith('environments/b/'))).toBe(true);
    // Elsewhere only model files, of the models whose entry and folder stayed: c's all moved into shards.
    const models = left.filter((p) => !p.startsWith('environments/b/')).map((p) => /^environments\/(\w+)\/(?:shards\/\d+\/)?models\/(\w+)\.yaml$/.exec(p)?.slice(1).join(':') ?? p);
    expect(models.sort()).toEqual(['a:m1', 'd:m1', 'd:m3', 'd:m4', 'd:m5']);
  });
});
