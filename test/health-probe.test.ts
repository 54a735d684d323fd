/**
 * `health --probe` (issue 13 §3): the built CLI, the fake API server with four Ready models, and
 * a small OpenAI-compatible server on 127.0.0.1 that answers each model in one way (right id,
 * wrong id, 500, never). `--probe-url` points the probes at it, as a CI runner would.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { SeedEnv } from './helpers/health-fixtures.js';
import { runScenario } from './helpers/health-scenario.js';

const ENV: SeedEnv = { env: 'dev', namespace: 'llm-dev', engine: 'none', models: ['good', 'wrong', 'broken', 'silent'] };
const TOKEN = 'probe-bearer-9f8e7d6c5b4a';

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly auth?: string;
  readonly body?: any;
}

async function openAiServer() {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const path = req.url ?? '';
      seen.push({ method: req.method ?? '', path, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}), ...(text ? { body: JSON.parse(text) } : {}) });
      const model = /^\/llm-dev\/([^/]+)\//.exec(path)?.[1] ?? '';
      if (model === 'silent') return; // never answers
      const json = (status: number, body: object) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (path.endsWith('/v1/models')) return json(200, { object: 'list', data: [{ id: model === 'wrong' ? 'org/something-else' : `org/${model}`, object: 'model' }] });
      if (model === 'broken') return json(500, { error: { message: 'CUDA error: out of memory' } });
      return json(200, { id: 'cmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'p' }, finish_reason: 'length' }] });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())), server };
}

describe('health --probe', () => {
  it('right id: Healthy with latency; wrong id, 500, timeout: Degraded ProbeFailed; one probe per model, the token sent but never printed', async () => {
    const api = await openAiServer();
    try {
      const r = await runScenario({
        envs: [ENV],
        args: ['--once', '--probe', '--probe-url', api.url, '--probe-timeout', '2s', '--probe-token-file', 'TOKEN_FILE', '--timeout', '30s'],
        files: { TOKEN_FILE: `${TOKEN}\n` },
      });
      expect(r.code, r.stderr).toBe(1);
      expect(r.of('good')).toMatchObject({ status: 'Healthy', message: expect.stringMatching(/answers "org\/good" at http:\/\/127\.0\.0\.1:\d+\/llm-dev\/good\/v1\/chat\/completions in \d+ ms/) });
      expect(typeof r.of('good').latencyMs).toBe('number');
      expect(r.of('wrong')).toMatchObject({ status: 'Degraded', reason: 'ProbeFailed', message: expect.stringContaining('lists "org/something-else", not "org/wrong"') });
      expect(r.of('broken')).toMatchObject({ status: 'Degraded', reason: 'ProbeFailed', message: expect.stringMatching(/POST .*\/llm-dev\/broken\/v1\/chat\/completions answered 500/) });
      expect(r.of('silent')).toMatchObject({ status: 'Degraded', reason: 'ProbeFailed', message: expect.stringContaining('no answer within 2s') });
      const posts = api.seen.filter((s) => s.method === 'POST');
      expect(posts.map((p) => p.path).sort()).toEqual(['/llm-dev/broken/v1/chat/completions', '/llm-dev/good/v1/chat/completions']);
      expect(posts.every((p) => p.body.max_tokens === 1)).toBe(true);
      expect(api.seen.filter((s) => s.path.endsWith('/v1/models'))).toHaveLength(4);
      expect(api.seen.every((s) => s.auth === `Bearer ${TOKEN}`)).toBe(true);
      expect(r.stdout + r.stderr).not.toContain(TOKEN);
    } finally {
      api.server.closeAllConnections();
      await api.close();
    }
  });
});
