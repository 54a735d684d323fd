/**
 * The catalog parse's fast path (catalog/quick-read.ts) against `yaml`'s (catalog/document.ts
 * parseWithYaml), the authority: whenever js-yaml's reading is kept, the data must be exactly
 * `yaml`'s, `yaml` must find nothing wrong (no error, no warning), and every issue placed on the
 * catalog — on each key and value, and on paths that go past them — must carry `yaml`'s line and
 * column. Proven on the example and bench catalogs, on hand-written corner cases, and on
 * thousands of seeded mutations of them (characters deleted, inserted, lines re-indented,
 * repeated or swapped), most of which either stay in the subset or leave it for `yaml`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCatalog, parseWithYaml, type PathKey } from '../generator/src/catalog/document.js';
import { quickRead } from '../generator/src/catalog/quick-read.js';
import { benchCatalog } from '../scripts/bench-catalogs.mjs';

const ROOT = join(import.meta.dirname, '..');
const EXAMPLES = ['environments/dev/catalog.yaml', 'environments/prod/catalog.yaml', 'environments/library.yaml'].map((f) => readFileSync(join(ROOT, f), 'utf8'));

const CORNERS = [
  // every core-schema scalar form, quoted and not
  'a: 0o14\nb: 0x1F\nc: 1e3\nd: -.5\ne: +12\nf: 012\ng: 1_000\nh: True\ni: FALSE\nj: yes\nk: "1"\nl: \'2\'\nm: 1.\nn: 0b11\no: 12:30\np: 2026-12-03\n',
  // comments everywhere, a document marker, trailing spaces, quoted keys, integer-like keys
  '---\n# head\nmodels:   # after a key\n  # before the first model\n  "m-1": { uri: hf://o/m }  \n  \'m 2\': {uri: "hf://o/x y", replicas: 3}\n  x9: [x, "y", \'z\']\n',
  // a flow map over lines, each indented past its bracket; a comment inside
  'models:\n  m:\n    { uri: hf://o/m, # the weights\n      replicas: 2,\n\n      args: [--x, "1"] }\n',
  // block sequences, compact and indented, nested maps, empty collections
  'list:\n- a\n- {b: c}\n- [d, e]\n- - f\n  - g\nmap:\n  inner:\n    deeper: {}\n    seq: []\n  other:\n    - x: 1\n      y: 2\n',
  // values that must stay with yaml: nulls, multi-line scalars, flow across lines, env numbers
  'a:\n',
  'b: ~\n',
  'a: {b: }\n',
  'a: [b, ~]\n',
  'a: one\n  two\n',
  'a: "one\n  two"\n',
  'a: {b: c,\nd: e}\n',
  '- [a,\nb]\n',
  'a:\n  { b: c,\n  d: e }\n',
  'defaults: { env: { PORT: 8000 } }\n',
  'models: { m: { env: { ON: true } } }\n',
  'a: {b}\n',
  '10: {a: b}\n',
  'a: [b: c]\n',
  'a: .inf\n',
  '<<: {a: b}\n',
  'constructor: 1\n',
  `${'k'.repeat(1100)}: 1\n`,
  'a: 1\na: 2\n',
  '"a": 1\na: 2\n',
  '- just\n- a list\n',
  'scalar\n',
  '',
  'a: b: c\n',
  'a: "b"#c\n',
  'a: [b, c]]\n',
  'a:\n  b: 1\n c: 2\n',
  // what quick-read leaves to yaml without reading further: properties, explicit keys, escapes, block scalars, directives, tabs, CR
  'a: &x {b: 1}\nc: *x\n',
  'a: !!str 1\n',
  '? a\n: b\n',
  'a: "\\x41\\L"\n',
  'a: |\n  x\n',
  'a: >\n  x\n',
  '%YAML 1.2\n---\na: 1\n',
  'a:\t1\n',
  'a: 1\r\nb: 2\r\n',
  'unicode: "ĉu vi — 模型"\nkey: dé\n',
];

/** Every path to a node of `data`, and paths one step past each (missing key, missing item). */
function paths(data: unknown, at: PathKey[] = []): PathKey[][] {
  const out: PathKey[][] = [at, [...at, 'missing-key'], [...at, 7]];
  if (Array.isArray(data)) data.forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (data !== null && typeof data === 'object') for (const [k, v] of Object.entries(data)) out.push(...paths(v, [...at, k]));
  return out;
}

/** 'quick' when the fast path answered (and agreed with yaml in everything), else 'yaml'. */
function agree(text: string): 'quick' | 'yaml' {
  const quick = quickRead(text);
  const ours = parseCatalog('c.yaml', text);
  const full = parseWithYaml('c.yaml', text);
  if (!quick) {
    expect(ours.issues).toStrictEqual(full.issues);
    expect(ours.doc?.data).toStrictEqual(full.doc?.data);
    return 'yaml';
  }
  const context = `catalog:\n${text}`;
  expect(full.issues, context).toStrictEqual([]);
  expect(ours.issues, context).toStrictEqual([]);
  expect(ours.doc?.data, context).toStrictEqual(full.doc?.data);
  for (const p of paths(full.doc?.data)) {
    for (const onKey of [false, true]) {
      expect(ours.doc?.at(p, 'm', { onKey }), `${context}\npath ${JSON.stringify(p)} onKey ${onKey}`).toStrictEqual(full.doc?.at(p, 'm', { onKey }));
    }
  }
  return 'quick';
}

/** A seeded PRNG (mulberry32): the same mutations on every run. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [' ', '  ', '\n', ':', ': ', '-', '- ', '{', '}', '[', ']', ',', ', ', "'", '"', '#', ' #', 'a', '0', '1.5', '.', 'x: 1', '\n  ', '~', 'null', 'true'];

function mutate(text: string, rnd: () => number): string {
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)] as T;
  const at = Math.floor(rnd() * (text.length + 1));
  const lines = text.split('\n');
  const line = Math.floor(rnd() * lines.length);
  switch (Math.floor(rnd() * 6)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 3));
    case 1:
    case 2:
      return text.slice(0, at) + pick(PIECES) + text.slice(at);
    case 3:
      lines[line] = rnd() < 0.5 ? `  ${lines[line]}` : (lines[line] ?? '').replace(/^ {1,2}/, '');
      return lines.join('\n');
    case 4:
      lines.splice(line, 0, lines[line] ?? '');
      return lines.join('\n');
    default:
      if (line + 1 < lines.length) [lines[line], lines[line + 1]] = [lines[line + 1] as string, lines[line] as string];
      return lines.join('\n');
  }
}

describe('catalog quick read', () => {
  it('reads the example and bench catalogs itself, exactly as yaml does', () => {
    const bench = ['env0', 'env1', 'env7'].map((e) => benchCatalog(e, 40));
    expect(EXAMPLES.map(agree)).toStrictEqual(['quick', 'quick', 'quick']);
    for (const text of bench) expect(agree(text)).toBe('quick');
  });

  it('agrees with yaml on corner cases, or leaves them to yaml', () => {
    const ways = CORNERS.map(agree);
    // The first four are plain catalog YAML; the rest each hold something only yaml may read.
    expect(ways.slice(0, 4)).toStrictEqual(['quick', 'quick', 'quick', 'quick']);
    expect(ways.slice(4, -1)).toStrictEqual(CORNERS.slice(4, -1).map(() => 'yaml'));
    expect(ways.at(-1)).toBe('quick'); // text beyond ASCII is read alike
  });

  it('agrees with yaml on thousands of mutated catalogs whenever it answers', () => {
    const rnd = prng(20261203);
    const bases = [...EXAMPLES, benchCatalog('env3', 6), ...CORNERS.slice(0, 4)];
    const ways = { quick: 0, yaml: 0 };
    for (let i = 0; i < 2400; i++) {
      let text = bases[i % bases.length] as string;
      for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) text = mutate(text, rnd);
      ways[agree(text)]++;
    }
    // Neither side is vacuous: many mutants stay in the subset, many leave it.
    expect(ways.quick).toBeGreaterThan(600);
    expect(ways.yaml).toBeGreaterThan(300);
  });
});
