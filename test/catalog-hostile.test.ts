/**
 * Hostile catalogs (issue 7, Low): object-internals keys, numbers that change meaning, Kubernetes
 * metadata limits, NUL and invalid UTF-8, non-finite numbers, storage paths that climb out, and two
 * environments sharing a namespace. Each is refused at its line (tree untouched) or, for the shared
 * namespace, warned about; env values keep the text the person wrote.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cli, repoWith, snapshot } from './helpers/repo.js';

const GOOD = 'namespace: llm-test\nplatform: { mode: none }\nmodels:\n  opt:\n    uri: hf://facebook/opt-125m\n    accelerator: cpu\n';
const long = (ch: string, n: number) => ch.repeat(n);

interface Case {
  readonly name: string;
  readonly catalog: string | Buffer;
  /** [line, text]: one stderr line naming the file and that line holds the text. */
  readonly expect: readonly (readonly [number, string])[];
}

const CASES: readonly Case[] = [
  {
    name: 'collections nested too deeply to read are refused, saying so',
    catalog: `namespace: llm-test\nmodels: ${'['.repeat(3000)}${']'.repeat(3000)}\n`,
    expect: [[2, 'the YAML nests too deeply to be read']],
  },
  {
    name: 'object-internals keys are refused at the parser',
    catalog: `namespace: llm-test\nmodels:\n  constructor:\n    uri: hf://a/b\n  m:\n    uri: hf://a/b\n    spec:\n      __proto__: { replicas: 9 }\n    labels: { prototype: x }\n`,
    expect: [
      [3, 'models.constructor: key "constructor" is not allowed — it names JavaScript object internals'],
      [8, 'models.m.spec.__proto__: key "__proto__" is not allowed'],
      [9, 'models.m.labels.prototype: key "prototype" is not allowed'],
    ],
  },
  {
    name: 'a profile named after an Object member is unknown, not found on the prototype',
    catalog: `namespace: llm-test\nprofiles:\n  h100: { accelerator: nvidia }\nmodels:\n  a:\n    uri: hf://a/b\n    profile: constructor\n  b:\n    uri: hf://a/b\n    profile: constructor:2\n`,
    expect: [
      [7, 'models.a.profile: unknown profile "constructor" — use one of h100'],
      [10, 'models.b.profile: unknown profile "constructor"'],
    ],
  },
  {
    name: 'templates: labels and paths are checked where written',
    catalog: [
      'namespace: llm-test',
      'templates:',
      '  shared:',
      `    labels: { team: ${long('v', 64)} }`,
      '    spec: { model: { uri: pvc://store/../x } }',
      'models:',
      '  b:',
      '    uri: hf://a/b',
      '    templates: [shared]',
    ].join('\n'),
    expect: [
      [4, 'templates.shared.labels.team: a label value is at most 63 characters'],
      [5, 'templates.shared.spec.model.uri: the path climbs with ".."'],
    ],
  },
  {
    name: 'a template named after an Object member is unknown',
    catalog: `namespace: llm-test\ntemplates:\n  shared: { replicas: 2 }\nmodels:\n  a:\n    uri: hf://a/b\n    templates: [constructor]\n`,
    expect: [[7, 'models.a.templates.0: unknown template "constructor" — use one of shared']],
  },
  {
    name: 'non-finite numbers: a finite-number message, not "did you mean" the same key',
    catalog: `namespace: llm-test\nmodels:\n  m:\n    uri: hf://a/b\n    resources: { cpu: 1e400, memory: 16Gi }\n    spec: { replicas: .inf, x: -.inf, y: .nan }\n`,
    expect: [
      [5, 'models.m.resources.cpu: 1e400 is not a finite number (JSON and Kubernetes have no infinity or NaN) — write a finite number, or a quantity as a string such as "4", "500m" or "16Gi"'],
      [6, 'models.m.spec.replicas: .inf is not a finite number'],
      [6, 'models.m.spec.x: -.inf is not a finite number'],
      [6, 'models.m.spec.y: .nan is not a finite number'],
    ],
  },
  {
    name: 'a wrong value in one shape of a union is reported in that shape',
    catalog: `namespace: llm-test\nmodels:\n  m:\n    uri: hf://a/b\n    resources: { cpu: true, memory: 16Gi }\n`,
    expect: [[5, 'models.m.resources.cpu: has the wrong shape (boolean true)']],
  },
  {
    name: 'NUL characters, escaped or raw, in values and keys',
    catalog: `namespace: llm-test\nmodels:\n  m:\n    uri: hf://a/b\n    annotations: { note: "a\\0b", "k\\x00": v }\n`,
    expect: [
      [5, 'models.m.annotations.note: this string holds a NUL character (\\0)'],
      [5, 'models.m.annotations: this string holds a NUL character'],
    ],
  },
  {
    name: 'invalid UTF-8 and a raw NUL byte',
    catalog: Buffer.concat([Buffer.from('namespace: llm-test\nmodels:\n  m:\n    uri: hf://a/b\n    annotations: { a: "caf'), Buffer.from([0xe9]), Buffer.from('" }\n    labels: { b: "x'), Buffer.from([0]), Buffer.from('" }\n')]),
    expect: [
      [5, 'the file is not valid UTF-8 here'],
      [6, 'a NUL character — remove it'],
    ],
  },
  {
    name: 'Kubernetes metadata rules on labels, annotations and node selectors',
    catalog: [
      'namespace: llm-test',
      'profiles:',
      '  h100: { nodeSelector: { "gpu type": h100, nvidia.com/gpu.product: "NVIDIA H100" } }',
      'models:',
      '  m:',
      '    uri: hf://a/b',
      '    labels:',
      `      team: ${long('v', 64)}`,
      `      ${long('p', 254)}/x: y`,
      `      example.com/${long('n', 64)}: z`,
      '      a/b/c: d',
      '      Example.com/x: y',
      '      tier: "gold plated"',
      '      fine: ""',
      `      ${long('q', 253)}/ok: ${long('w', 63)}`,
      '    annotations:',
      `      big: "${long('x', 262_144)}"`,
      '  n:',
      '    uri: hf://a/b',
      '    annotations:',
      `      "bad key": x`,
    ].join('\n'),
    expect: [
      [3, 'profiles.h100.nodeSelector.gpu type: the name part of key "gpu type" must be letters, digits'],
      [3, 'profiles.h100.nodeSelector.nvidia.com/gpu.product: a label value must be letters, digits'],
      [8, 'models.m.labels.team: a label value is at most 63 characters, this one has 64'],
      [9, 'is 254 characters; at most 253'],
      [10, 'is 64 characters; at most 63'],
      [11, 'models.m.labels.a/b/c: key "a/b/c" has more than one "/"'],
      [12, 'models.m.labels.Example.com/x: the prefix of key "Example.com/x" must be a DNS subdomain'],
      [13, 'models.m.labels.tier: a label value must be letters'],
      [17, 'models.m.annotations: the annotations of m total 262147 bytes; Kubernetes allows 262144 (256 KiB) per object'],
      [21, 'models.n.annotations.bad key: the name part of key "bad key"'],
    ],
  },
  {
    name: 'storage paths that leave their claim or bucket',
    catalog: [
      'namespace: llm-test',
      'models:',
      '  a:',
      '    uri: pvc://store/../../etc',
      '  b:',
      '    uri: pvc://store//etc/passwd',
      '    download: { from: hf://org/model, size: 1Gi }',
      '  c:',
      '    uri: pvc://store/models/./x',
      '  d:',
      '    uri: s3://bucket/models/../../other',
      '  e:',
      '    uri: hf://org/model',
      '    spec: { model: { uri: "pvc://store/a\\\\b" } }',
      '  f:',
      '    uri: pvc://model-store/qwen2.5-72b/',
    ].join('\n'),
    expect: [
      [4, 'models.a.uri: the path climbs with ".." — name the folder inside the claim directly'],
      [6, 'models.b.uri: the path has an empty segment ("//"), which reads as an absolute path'],
      [9, 'models.c.uri: the path climbs with "."'],
      [11, 'models.d.uri: the path climbs with ".." — name the folder inside the bucket'],
      [14, 'models.e.spec.model.uri: a "\\" in the path'],
    ],
  },
];

describe('hostile catalogs', () => {
  let repo: { dir: string; cleanup: () => void };
  const catalogPath = () => join(repo.dir, 'environments', 'test', 'catalog.yaml');
  beforeAll(async () => {
    repo = repoWith({ test: GOOD });
    expect((await cli(['generate'], repo.dir)).code).toBe(0);
  });
  afterAll(() => repo?.cleanup());

  for (const c of CASES) {
    it(`${c.name}: exit 1 at the line, tree unchanged`, async () => {
      writeFileSync(catalogPath(), c.catalog);
      const before = snapshot(repo.dir);
      const r = await cli(['generate'], repo.dir);
      expect(r.code, r.stderr).toBe(1);
      const lines = r.stderr.split('\n');
      for (const [line, text] of c.expect) {
        const hit = lines.find((l) => l.startsWith(`environments/test/catalog.yaml:${line}:`) && l.includes(text));
        expect(hit, `expected line ${line} with "${text}" in:\n${r.stderr.slice(0, 4000)}`).toBeDefined();
      }
      expect(r.stderr).not.toContain('did you mean "cpu"');
      expect(r.stderr).not.toMatch(/\u0000/);
      // Only the lines the case names are reported as errors (warnings, such as a model without
      // cpu/memory requests, are beside the point here).
      const reported = new Set(lines.filter((l) => l.startsWith('environments/test/catalog.yaml:') && !/^[^ ]+ warning: /.test(l)).map((l) => Number(l.split(':')[1])));
      expect([...reported].filter((n) => !c.expect.some(([line]) => line === n))).toEqual([]);
      expect(snapshot(repo.dir)).toEqual(before);
    });
  }

  it('a collection as a key: refused as a catalog error, and the parser prints nothing of its own', async () => {
    writeFileSync(catalogPath(), 'namespace: llm-test\nplatform: { mode: none }\nmodels:\n  ? [a, b]\n  : { uri: hf://a/b, accelerator: cpu }\n');
    const before = snapshot(repo.dir);
    const r = await cli(['generate'], repo.dir);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^environments\/test\/catalog\.yaml:\d+:\d+: models\.\[ a, b \]: .* is not a valid LLMInferenceService name/m);
    // yaml's toJS warns about collection keys through process.emitWarning unless told not to (logLevel).
    expect(r.stderr).not.toMatch(/\(node:\d+\)|Warning: Keys with collection values/);
    expect(r.stderr.split('\n').filter((l) => l && !l.startsWith('environments/test/catalog.yaml:'))).toEqual([]);
    expect(snapshot(repo.dir)).toEqual(before);
  });

  it('env values written unquoted keep the text the person wrote', async () => {
    writeFileSync(
      catalogPath(),
      `namespace: llm-test\nplatform: { mode: none }\ndefaults:\n  env: { UMASK: 0022 }\nmodels:\n  opt:\n    uri: hf://facebook/opt-125m\n    accelerator: cpu\n` +
        `    env: { MODE: 0755, MASK: 0x1F, RATIO: 1.0, BIG: 1e3, FLAG: True, OFF: false, INF: .inf, N: 8, QUOTED: "0755" }\n`,
    );
    const r = await cli(['generate'], repo.dir);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(join(repo.dir, 'environments/test/models/opt.yaml'), 'utf8');
    const env = parse(text).spec.template.containers[0].env as { name: string; value: string }[];
    expect(Object.fromEntries(env.map((e) => [e.name, e.value]))).toEqual({
      UMASK: '0022', MODE: '0755', MASK: '0x1F', RATIO: '1.0', BIG: '1e3', FLAG: 'True', OFF: 'false', INF: '.inf', N: '8', QUOTED: '0755',
    });
    // The rendered YAML quotes them, so no later reader turns them back into numbers.
    expect(text).toContain('value: "0755"');
    expect(text).toContain('value: "1.0"');
  });
});

describe('two environments sharing a namespace', () => {
  const env = (ns: string, mode: string, models: string, delivery = '') =>
    `namespace: ${ns}\nplatform: { mode: ${mode} }\n${delivery}models:\n${models.split(',').map((m) => `  ${m}:\n    uri: hf://facebook/opt-125m\n    accelerator: cpu\n`).join('')}`;

  it('warns (exit 0) when they may share a cluster, naming the clashing models', async () => {
    const repo = repoWith({ a: env('llm', 'standalone', 'opt,shared'), b: env('llm', 'none', 'shared,other') });
    try {
      const r = await cli(['generate'], repo.dir);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(
        'environments/b/catalog.yaml:1:1: warning: namespace: llm is also the namespace of environment a (environments/a/catalog.yaml) — on one cluster both would deliver it and deleting either removes the other\'s models, and shared would overwrite each other; give each environment its own namespace',
      );
      expect(r.stderr.match(/warning: namespace:/g)).toHaveLength(1);
    } finally {
      repo.cleanup();
    }
  });

  it('stays quiet when the catalogs say the clusters differ, or a namespace holds no model', async () => {
    const argocd = (server: string) => `delivery: { engine: argocd, repoURL: https://git.example/r.git, server: ${server} }\n`;
    const repo = repoWith({
      a: env('llm', 'standalone', 'opt'), // both install a platform: one per cluster
      b: env('llm', 'addons', 'opt'),
      c: env('llm2', 'none', 'opt', argocd('https://c.example')), // Argo CD to different clusters
      d: env('llm2', 'none', 'opt', argocd('https://d.example')),
      e: env('llm3', 'none', 'x'),
      f: 'namespace: llm3\nplatform: { mode: none }\nmodels: {}\n', // no model
    });
    try {
      const r = await cli(['generate'], repo.dir);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toContain('warning: namespace');
    } finally {
      repo.cleanup();
    }
  });
});
