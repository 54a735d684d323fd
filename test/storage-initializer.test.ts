/**
 * The storage-initializer image the llmisvc controller injects is read from
 * `inferenceservice-config` `data.storageInitializer` (JSON text). Built with real kustomize from
 * the vendored KServe v0.20.0 config: pinned to the KServe tag, overridable by an environment's
 * `images:`, and nothing else of the upstream text changes.
 */
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kustomize, vendoredRepo } from './helpers/repo.js';

type Raw = Record<string, any>;
const catalog = (images: string) => `namespace: llm-a
platform: { mode: standalone, kserve: v0.20.0, source: vendored }
${images}models:
  opt: { uri: hf://facebook/opt-125m, accelerator: cpu, router: none }
`;
let repo: { dir: string; cleanup: () => void };
beforeAll(async () => {
  repo = await vendoredRepo({ pinned: catalog(''), custom: catalog('images: { kserve/storage-initializer: registry.example/si:v9 }\n') });
});
afterAll(() => repo?.cleanup());

async function built(env: string): Promise<{ config: Raw; csc: Raw }> {
  const docs = parseAllDocuments(await kustomize(join(repo.dir, 'environments', env, 'platform'))).map((d) => d.toJS() as Raw);
  const cm = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'inferenceservice-config')!;
  return { config: JSON.parse(cm.data.storageInitializer), csc: docs.find((d) => d.kind === 'ClusterStorageContainer')! };
}

describe('storage-initializer pin', () => {
  it('inferenceservice-config names the pinned KServe tag, the rest of its JSON as upstream ships it', async () => {
    const { config, csc } = await built('pinned');
    expect(config.image).toBe('kserve/storage-initializer:v0.20.0');
    expect(csc.spec.container.image).toBe('kserve/storage-initializer:v0.20.0');
    expect(config).toMatchObject({ memoryRequest: '100Mi', memoryLimit: '1Gi', cpuRequest: '100m', cpuLimit: '1', enableModelcar: true });
  });
  it("an environment's images: override reaches both", async () => {
    const { config, csc } = await built('custom');
    expect(config.image).toBe('registry.example/si:v9');
    expect(csc.spec.container.image).toBe('registry.example/si:v9');
  });
});
