/**
 * Schema locations over real HTTP (a loopback server started here, serving the CRD files from
 * ../shared): a CRD file URL is downloaded once, converted, and served from the cache on the
 * next run — with the server stopped. A kubeconform-style template URL is asked per kind; a 404
 * falls through to the next location.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, KSERVE_SRC, repoWith, tempDir } from './helpers/repo.js';

const CRD_DIR = join(KSERVE_SRC, 'config', 'crd', 'full', 'llmisvc');
const FILES: Record<string, string> = {
  '/kserve/v0.20.0/llminferenceservices.yaml': join(CRD_DIR, 'serving.kserve.io_llminferenceservices.yaml'),
  '/kserve/v0.20.0/llminferenceserviceconfigs.yaml': join(CRD_DIR, 'serving.kserve.io_llminferenceserviceconfigs.yaml'),
};
/** A strict Namespace schema that also demands a `team` label: proves the template location is the one used. */
const NAMESPACE_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata'],
  properties: {
    apiVersion: { type: 'string', enum: ['v1'] },
    kind: { type: 'string', enum: ['Namespace'] },
    metadata: { type: 'object', required: ['labels'], properties: { name: { type: 'string' }, labels: { type: 'object', required: ['team'] } } },
  },
  additionalProperties: false,
};

const CATALOG = `namespace: llm-http
platform: { mode: none }
models:
  tiny:
    uri: hf://facebook/opt-125m
    accelerator: cpu
    router: direct
`;

let server: Server;
let base: string;
const requests: string[] = [];
const cache = tempDir('llm-gitops-cache-');
const repo = repoWith({ http: CATALOG });

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const file = FILES[req.url ?? ''];
    if (file) {
      res.writeHead(200, { 'content-type': 'application/yaml' }).end(readFileSync(file));
    } else if (req.url === '/schemas/namespace-v1.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(NAMESPACE_SCHEMA));
    } else res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  expect((await cli(['generate'], repo.dir)).code).toBe(0);
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  repo.cleanup();
  cache.cleanup();
});

describe('validate with HTTP schema locations', () => {
  it('downloads a CRD file once, then validates from the cache with the server stopped', async () => {
    const args = ['validate', '--schema-location', `${base}/kserve/v0.20.0/llminferenceservices.yaml`, '--schema-location', `${base}/kserve/v0.20.0/llminferenceserviceconfigs.yaml`];
    const first = await cli(args, repo.dir, { LLM_GITOPS_CACHE: cache.dir });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^2 valid, 0 invalid, 0 errors, \d+ skipped\nCEL: /); // LLMInferenceService + Namespace
    expect(requests.filter((u) => u.endsWith('llminferenceservices.yaml'))).toHaveLength(1);

    // A second server run would add requests; stop answering instead and expect the same verdict.
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const second = await cli(args, repo.dir, { LLM_GITOPS_CACHE: cache.dir });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);

    // Without the cache the stopped server is an error for the objects that needed it, not a pass.
    const empty = tempDir('llm-gitops-cache-');
    try {
      const third = await cli(args, repo.dir, { LLM_GITOPS_CACHE: empty.dir });
      expect(third.code).toBe(1);
      expect(third.stdout).toContain(`LLMInferenceService/tiny: error: cannot download http://127.0.0.1:${port}/kserve/v0.20.0/llminferenceservices.yaml`);
    } finally {
      empty.cleanup();
    }
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  });

  it('a template location is asked per kind; its schema wins, a 404 falls through to the next location', async () => {
    const before = requests.length;
    const r = await cli(['validate', '--schema-location', `${base}/schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json`, '--schema-location', CRD_DIR], repo.dir, { LLM_GITOPS_CACHE: cache.dir });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout, r.stderr).toMatch(/^environments\/http\/namespace\.yaml:\d+:\d+: Namespace\/llm-http: metadata\.labels: missing required field "team"$/m);
    expect(r.stdout).toMatch(/^1 valid, 1 invalid, 0 errors, \d+ skipped$/m);
    const asked = requests.slice(before);
    expect(asked).toContain('/schemas/namespace-v1.json');
    expect(asked).toContain('/schemas/llminferenceservice-serving-v1alpha2.json'); // 404 → the CRD folder
  });
});
