/**
 * Credentials never reach the tree or git. Every planted credential of issue 7 (and the other
 * well-known formats) is an error at its catalog line, naming the field, never repeating the
 * secret, and nothing is written; `commit` and `commit --push` refuse too. The clean side: the
 * example catalogs, the test fixtures and every YAML file of the upstream data in ../shared (the
 * KServe samples and configs among them) produce no finding.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { findInText, scanValue } from '../generator/src/credentials/scan.js';
import { scanRendered } from '../generator/src/credentials/catalog.js';
import { ASSIGNMENT, ASSIGNMENT_HINT, TOKEN_FORMATS, TOKEN_HINT, URL_HINT, URL_USERINFO } from '../generator/src/credentials/patterns.js';
import { cli, PROJECT, repoWith, snapshot, UPSTREAM } from './helpers/repo.js';
import { fingerprint, gitopsRepo, PROD, write, type GitopsRepo } from './helpers/gitops-repo.js';

/** Fake credentials, built at run time so this file holds none in a scannable form. */
const ALNUM = 'Zx9Qw3Er7Ty1Ui5Op2As8Df4Gh6Jk0LmNbVcXz1Aq2Ws3Ed4Rf5Tg6Yh7Uj8Ik9Ol0P';
const fake = (prefix: string, n: number, alphabet = ALNUM) => prefix + Array.from({ length: n }, (_, i) => alphabet[(i * 7 + prefix.length) % alphabet.length]).join('');
const T = {
  glpat: fake('gl' + 'pat-', 20),
  ghPat: fake('github' + '_pat_', 40),
  gho: fake('gh' + 'o_', 36),
  ghp: fake('gh' + 'p_', 36),
  ghs: fake('gh' + 's_', 36),
  slack: fake('xo' + 'xb-', 30, `${ALNUM}-`),
  stripe: fake('sk' + '_live_', 24),
  stripeRk: fake('rk' + '_live_', 24),
  hf: fake('h' + 'f_', 34),
  openai: fake('s' + 'k-', 40),
  openaiProj: fake('sk-' + 'proj-', 40),
  anthropic: fake('sk-' + 'ant-', 40),
  akia: fake('AK' + 'IA', 16, 'QWERTYUIOPASDFGHJKLZXCVBNM234567'),
  awsSecret: fake('', 40, `${ALNUM}/+`),
  jwt: `${fake('ey' + 'J', 20)}.${fake('ey' + 'J', 30)}.${fake('', 43, `${ALNUM}_-`)}`,
  pem: `-----BEGIN ${'RSA PRIVATE'} KEY-----\n${fake('MII', 60, `${ALNUM}+/`)}\n-----END RSA PRIVATE KEY-----`,
  literal: 'not-in-any-format-but-a-secret-9Fq2',
  apiKey: fake('', 32),
};

interface Planted {
  /** The catalog line (text, with its indentation). */
  readonly text: string;
  /** Expected on that line's error: the field (undefined: a comment) and a phrase. */
  readonly field?: string;
  readonly phrase?: string;
  /** The credential that must never be printed. */
  readonly secret?: string;
}

/** One catalog holding every planted credential, and lines that must stay clean around them. */
const LINES: readonly Planted[] = [
  { text: `# CI deploy token ${T.glpat} (so the pipeline can push)`, phrase: 'this comment holds a GitLab token', secret: T.glpat },
  { text: 'namespace: llm-test' },
  { text: 'platform: { mode: none }' },
  { text: 'delivery:' },
  { text: '  engine: argocd' },
  { text: `  repoURL: https://ci-bot:${T.literal}@github.com/example-org/llm-gitops.git`, field: 'delivery.repoURL', phrase: 'a URL with a password (https://…@github.com)', secret: T.literal },
  { text: 'presets:' },
  { text: '  tuned:' },
  { text: `    description: billing ${T.stripe}`, field: 'presets.tuned.description', phrase: 'a Stripe secret key', secret: T.stripe },
  { text: '    spec:' },
  { text: '      template:' },
  { text: '        containers:' },
  { text: '          - name: main' },
  { text: '            env:' },
  { text: `              - { name: API_KEY, value: ${T.literal} }`, field: 'presets.tuned.spec.template.containers.0.env.0.value', phrase: 'API_KEY holds a literal value', secret: T.literal },
  { text: '              - { name: TOKENIZERS_PARALLELISM, value: "false" }' },
  { text: 'templates:' },
  { text: '  tracked:' },
  { text: '    env:' },
  { text: `      WANDB_API_KEY: ${T.literal}`, field: 'templates.tracked.env.WANDB_API_KEY', phrase: 'WANDB_API_KEY holds a literal value', secret: T.literal },
  { text: 'models:' },
  { text: '  m:' },
  { text: '    templates: [tracked]' },
  { text: '    uri: hf://meta-llama/Llama-3.1-8B-Instruct' },
  { text: '    hfTokenSecret: hf-token-prod-0a1b2c3d4e' },
  { text: '    args:' },
  { text: `      - --api-key=${T.apiKey}`, field: 'models.m.args.0', phrase: '--api-key is given a literal credential', secret: T.apiKey },
  { text: '      - --api-key' },
  { text: `      - ${T.literal}`, field: 'models.m.args.2', phrase: '--api-key is given a literal credential', secret: T.literal },
  { text: '      - --token' },
  { text: '      - $(VLLM_API_KEY)' },
  { text: '      - --max-num-batched-tokens' },
  { text: '      - "8192"' },
  { text: '    env:' },
  { text: `      GIT_AUTH: ${T.ghPat}`, field: 'models.m.env.GIT_AUTH', phrase: 'a GitHub fine-grained token', secret: T.ghPat },
  { text: `      OPENAI_KEY: ${T.literal}`, field: 'models.m.env.OPENAI_KEY', phrase: 'OPENAI_KEY holds a literal value', secret: T.literal },
  { text: `      HF_TOKEN_VALUE: ${T.literal}`, field: 'models.m.env.HF_TOKEN_VALUE', phrase: 'use HF_TOKEN_VALUE: {secretKeyRef: {name: <secret>, key: <key>}}, or hfTokenSecret: <secret>', secret: T.literal },
  { text: `      AUTH_HEADER: "Bearer ${T.jwt}"`, field: 'models.m.env.AUTH_HEADER', phrase: 'a JSON Web Token', secret: T.jwt },
  { text: `      EXTRA: "--api-key ${T.apiKey}"`, field: 'models.m.env.EXTRA', phrase: '--api-key is given a literal credential', secret: T.apiKey },
  { text: `      HF_HOME_TOKEN_CACHE: ${T.hf}`, field: 'models.m.env.HF_HOME_TOKEN_CACHE', phrase: 'a Hugging Face token', secret: T.hf },
  { text: '      HF_TOKEN_PATH: /var/run/secrets/hf/token' },
  { text: '      TOKENIZERS_PARALLELISM: "false"' },
  { text: '      MAX_TOKENS: "4096"' },
  { text: '      GIT_URL: ssh://git@github.com/example-org/models.git' },
  { text: '      OPENAI_API_KEY: { secretKeyRef: { name: openai, key: api-key } }' },
  { text: `      TLS_KEY: |`, field: 'models.m.env.TLS_KEY', phrase: 'a private key', secret: T.pem.split('\n')[1]! },
  ...T.pem.split('\n').map((l) => ({ text: `        ${l}` })),
  { text: '    annotations:' },
  { text: `      example.com/notify: ${T.slack}`, field: 'models.m.annotations.example.com/notify', phrase: 'a Slack token', secret: T.slack },
  { text: '      example.com/db: "host=db user=app password=hunter2"', field: 'models.m.annotations.example.com/db', phrase: 'a password= assignment (password=…(7 characters))', secret: 'hunter2' },
  { text: `      example.com/vendor: ${T.anthropic}`, field: 'models.m.annotations.example.com/vendor', phrase: 'an Anthropic API key', secret: T.anthropic },
  { text: `      example.com/proj: ${T.openaiProj}`, field: 'models.m.annotations.example.com/proj', phrase: 'an OpenAI project key', secret: T.openaiProj },
  { text: `      example.com/legacy: ${T.openai}`, field: 'models.m.annotations.example.com/legacy', phrase: 'an OpenAI-style API key', secret: T.openai },
  { text: '      example.com/model: sk-learn-classifier-2024-v2-experimental' },
  { text: `      ${T.ghs}: a token as a key`, field: "models.m.annotations.…(40 characters)", phrase: 'this looks like a credential: a GitHub token (ghs_…(40 characters))', secret: T.ghs },
  { text: `      example.com/restricted: ${T.stripeRk}`, field: 'models.m.annotations.example.com/restricted', phrase: 'a Stripe secret key', secret: T.stripeRk },
  { text: '    spec:' },
  { text: '      template:' },
  { text: '        containers:' },
  { text: '          - name: main' },
  { text: `            command: [sh, -c, "git clone https://x-access-token@github.com/o/r && curl -H 'Authorization: token ${T.gho}' ..."]`, field: 'models.m.spec.template.containers.0.command.2', phrase: 'a GitHub token', secret: T.gho },
  { text: '            env:' },
  { text: `              - { name: HF_TOKEN, value: ${T.literal} }`, field: 'models.m.spec.template.containers.0.env.0.value', phrase: 'HF_TOKEN holds a literal value', secret: T.literal },
  { text: `              - { name: AWS_ACCESS_KEY_ID, value: "${T.awsSecret}" }`, field: 'models.m.spec.template.containers.0.env.1.value', phrase: 'AWS_ACCESS_KEY_ID holds an AWS secret access key', secret: T.awsSecret },
  { text: `              - { name: S3_KEY_ID, value: ${T.akia} }`, field: 'models.m.spec.template.containers.0.env.2.value', phrase: 'an AWS access key id', secret: T.akia },
  { text: `              - { name: CLONE, value: "https://${T.ghp}@github.com/o/r.git" }`, field: 'models.m.spec.template.containers.0.env.3.value', phrase: 'a URL with a token as its user', secret: T.ghp },
  { text: '              - { name: HF_TOKEN_FILE, value: /var/run/secrets/hf/token }' },
  { text: '              - { name: VLLM_API_KEY, valueFrom: { secretKeyRef: { name: vllm, key: api-key } } }' },
];

const CATALOG = `${LINES.map((l) => l.text).join('\n')}\n`;
const GOOD = 'namespace: llm-test\nplatform: { mode: none }\nmodels:\n  opt:\n    uri: hf://facebook/opt-125m\n    accelerator: cpu\n';

describe('planted credentials', () => {
  let repo: { dir: string; cleanup: () => void };
  let before: Map<string, string>;
  let r: { code: number; stderr: string; stdout: string };
  beforeAll(async () => {
    repo = repoWith({ test: GOOD });
    expect((await cli(['generate'], repo.dir)).code).toBe(0);
    writeFileSync(join(repo.dir, 'environments/test/catalog.yaml'), CATALOG);
    before = snapshot(repo.dir);
    r = await cli(['generate'], repo.dir);
  });
  afterAll(() => repo?.cleanup());

  const lines = () => r.stderr.split('\n').filter((l) => l.startsWith('environments/test/catalog.yaml:') && !/ warning: models\.m: no cpu or memory request/.test(l));
  const planted = LINES.map((l, i) => ({ ...l, line: i + 1 })).filter((l) => l.phrase);

  it('generate exits 1 and writes nothing', () => {
    expect(r.code, r.stderr).toBe(1);
    expect(snapshot(repo.dir)).toEqual(before);
  });

  for (const p of planted) {
    it(`line ${p.line}: ${p.phrase}`, () => {
      const hit = lines().find((l) => l.startsWith(`environments/test/catalog.yaml:${p.line}:`) && l.includes(p.phrase!) && (!p.field || l.includes(` ${p.field}: `)));
      expect(hit, `expected line ${p.line} ${p.field ?? '(comment)'} "${p.phrase}" in:\n${r.stderr}`).toBeDefined();
      expect(hit).toMatch(/revoke it if it was ever committed or pushed/);
    });
  }

  it('reports nothing else: the clean lines beside them give no finding', () => {
    const flagged = new Set(lines().map((l) => Number(l.split(':')[1])));
    const expected = new Set(planted.map((p) => p.line));
    expect([...flagged].filter((n) => !expected.has(n)).map((n) => `${n}: ${LINES[n - 1]!.text}`)).toEqual([]);
    expect(planted.length).toBeGreaterThanOrEqual(16);
  });

  it('never prints a credential, only a redacted prefix', () => {
    // Past the longest public prefix (github_pat_), every 8 characters of every secret.
    const bodies = Object.entries(T).map(([k, v]) => (k === 'pem' ? v.split('\n')[1]! : v.slice(12)));
    for (const body of bodies) {
      for (let i = 0; i + 8 <= body.length; i += 4) expect(r.stderr, `a part of a secret was printed: ${body.slice(i, i + 8)}`).not.toContain(body.slice(i, i + 8));
    }
    expect(r.stderr).not.toContain('hunter2');
  });

  it('a schema message that would quote the value shows it redacted', async () => {
    writeFileSync(join(repo.dir, 'environments/test/catalog.yaml'), `namespace: llm-test\nmodels:\n  opt:\n    uri: hf://facebook/opt-125m\n    replicas: ${T.ghp}\n`);
    const s = await cli(['generate'], repo.dir);
    expect(s.code).toBe(1);
    expect(s.stderr).toContain('environments/test/catalog.yaml:5:15: models.opt.replicas: this looks like a credential: a GitHub token (ghp_…(40 characters))');
    expect(s.stderr).toContain('models.opt.replicas: expected number, got the string "…(40 characters)');
    expect(s.stderr).not.toContain(T.ghp.slice(4, 12));
  });

  it('a catalog that does not parse is still scanned', async () => {
    writeFileSync(join(repo.dir, 'environments/test/catalog.yaml'), `namespace: llm-test\nmodels: [\n  # ${T.hf}\n`);
    const s = await cli(['generate'], repo.dir);
    expect(s.code).toBe(1);
    expect(s.stderr).toContain('environments/test/catalog.yaml:3:5: this comment holds a Hugging Face token');
  });
});

describe('commit refuses a catalog with a credential', () => {
  let repo: GitopsRepo;
  afterAll(() => repo?.cleanup());

  it('commit and commit --push exit 1 with the line; the repository, index and remote are untouched', async () => {
    repo = await gitopsRepo();
    write(repo.work, 'environments/prod/catalog.yaml', `${PROD}# deploy with ${T.ghp}\n`);
    const line = PROD.split('\n').length;
    const was = fingerprint(repo);
    for (const args of [['commit'], ['commit', '--push'], ['commit', '--push', '--branch', 'bump']]) {
      const c = await cli(args, repo.work, { TMPDIR: repo.tmp });
      expect(c.code, c.stderr).toBe(1);
      expect(c.stderr).toContain(`environments/prod/catalog.yaml:${line}:15: this comment holds a GitHub token (ghp_…(40 characters))`);
      expect(c.stderr + c.stdout).not.toContain(T.ghp.slice(4, 12));
      expect(fingerprint(repo)).toEqual(was);
    }
  });
});

describe('commit refuses a credential in its message template', () => {
  let repo: GitopsRepo;
  afterAll(() => repo?.cleanup());

  it('exit 1 at the template line; nothing committed or pushed', async () => {
    repo = await gitopsRepo();
    write(repo.work, 'environments/prod/catalog.yaml', PROD.replace('replicas: 3', 'replicas: 4'));
    const template = join(repo.base, 'message.hbs');
    writeFileSync(template, `{{subject}}\n\nnotify: ${T.slack}\n`);
    const was = fingerprint(repo);
    const c = await cli(['commit', '--push', '--message-template', template], repo.work, { TMPDIR: repo.tmp });
    expect(c.code, c.stderr).toBe(1);
    expect(c.stderr).toContain(`${template}:3:9: a Slack token (xoxb-…(35 characters)) would be written to the commit message`);
    expect(c.stderr).not.toContain(T.slack.slice(5, 13));
    expect(fingerprint(repo)).toEqual(was);
  });
});

describe('the searches findInText skips', () => {
  // A format is searched only in text holding its hint (and some format's, TOKEN_HINT): every
  // match of a format must hold both, or a credential would go unseen.
  const others = [fake('https://hooks.slack' + '.com/services/', 30), fake('AI' + 'za', 35), fake('np' + 'm_', 36)];
  const texts = [...Object.values(T), ...others, ...LINES.map((l) => l.text), CATALOG];
  const searches = [...TOKEN_FORMATS.map((f) => ({ label: f.label, re: f.re, hints: [f.hint, TOKEN_HINT] })), { label: 'URL userinfo', re: URL_USERINFO, hints: [URL_HINT] }, { label: 'assignment', re: ASSIGNMENT, hints: [ASSIGNMENT_HINT] }];
  const holds = (text: string, hint: string | RegExp) => (typeof hint === 'string' ? text.includes(hint) : new RegExp(hint.source, hint.flags.replace('g', '')).test(text));

  it.each(searches)('every match of $label holds its hints', ({ re, hints }) => {
    const matches = texts.flatMap((t) => [...t.matchAll(re)].map((m) => m[0]));
    expect(matches.length).toBeGreaterThan(0);
    for (const m of matches) for (const h of hints) expect([m, holds(m, h)]).toEqual([m, true]);
  });
});

describe('the backstop over rendered files', () => {
  const catalogs = [{ file: 'environments/a/catalog.yaml', text: `namespace: a\nmodels:\n  m:\n    image: reg.example/${T.hf}\n` }];

  it('a credential in generated output is reported at the catalog line holding it', () => {
    const issues = scanRendered([{ path: 'environments/a/models/m.yaml', content: `# Generated\nspec:\n  image: reg.example/${T.hf}\n` }], catalogs);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'environments/a/catalog.yaml', line: 4, col: 24, severity: 'error' });
    expect(issues[0]!.message).toContain('a Hugging Face token (hf_…(37 characters)) would be written to environments/a/models/m.yaml');
  });

  it("one no catalog holds is reported at the generated file's line", () => {
    const issues = scanRendered([{ path: 'environments/a/x.yaml', content: `a: 1\nb: c\n  d: ${T.slack}\n` }], catalogs);
    expect(issues).toEqual([expect.objectContaining({ file: 'environments/a/x.yaml', line: 3, col: 6 })]);
  });
});

describe('no false positives', () => {
  const yamlFiles = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(name) ? [p] : [];
    });
  const findings = (file: string, structured = true) => {
    const text = readFileSync(file, 'utf8');
    const out = findInText(text).map((h) => `${file}: ${h.what}`);
    if (!structured) return out;
    for (const d of parseAllDocuments(text)) {
      if (d.errors.length) continue; // a chart template: its text was scanned above
      const value = d.toJS({ maxAliasCount: -1 }) as unknown;
      out.push(...scanValue(value).map((f) => `${file}: ${f.path.join('.')}: ${f.message.slice(0, 80)}`));
    }
    return out;
  };

  it('in the example catalogs, the test fixtures and the committed tree', () => {
    const files = ['environments', 'test/fixtures', 'base', 'overlays'].flatMap((d) => yamlFiles(join(PROJECT, d)));
    expect(files.length).toBeGreaterThan(20);
    expect(files.flatMap(findings)).toEqual([]);
  });

  it('in every KServe sample and config in ../shared, as values and as text', () => {
    const files = yamlFiles(join(UPSTREAM, 'kserve')).filter((f) => !f.includes('/crd/'));
    expect(files.filter((f) => f.includes('/samples/')).length).toBeGreaterThanOrEqual(7);
    expect(files.flatMap((f) => findings(f))).toEqual([]);
  });

  it('in the text of every other upstream YAML file (CRDs, charts)', () => {
    const files = yamlFiles(UPSTREAM);
    expect(files.length).toBeGreaterThan(300);
    expect(files.flatMap((f) => findings(f, false))).toEqual([]);
  });
});
