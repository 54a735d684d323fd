/**
 * validate/stage.ts prefetch: a batch's loads (schema lookups, then validators) start together,
 * before the first object waits for its own, and they are exactly the loads the validator asks for.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SchemaStore } from '../generator/src/validate/schema-store.js';
import { Stage, type FileJob } from '../generator/src/validate/stage.js';

afterEach(() => vi.restoreAllMocks());

const job = (path: string, objects: unknown[], skip?: string): FileJob => ({ path, content: objects.map((o) => JSON.stringify(o)).join('\n---\n'), objects, version: 'v0.20.0', drift: false, ...(skip ? { skip } : {}) });

describe('validate stage prefetch', () => {
  it("looks up every kind of the batch at once, and only the kinds the validator checks", async () => {
    const asked: string[] = [];
    const lookup = SchemaStore.prototype.lookup;
    vi.spyOn(SchemaStore.prototype, 'lookup').mockImplementation(function (this: SchemaStore, apiVersion: string, kind: string) {
      asked.push(`${apiVersion} ${kind}`);
      return lookup.call(this, apiVersion, kind);
    });
    const stage = new Stage({ cacheDir: undefined, fetch: { offline: true }, versions: [['v0.20.0', []]] });
    const files = [
      job('a.yaml', [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }]),
      job('b.yaml', [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }]),
      job('c.yaml', [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'd' } }], 'a kustomize input'), // skipped: never looked up
      job('kustomization.yaml', [{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' }, { kind: 'NoVersion' }]),
    ];
    const done = stage.run(files);
    // Before the first object's lookup resolves, every kind's has started.
    expect(new Set(asked)).toEqual(new Set(['v1 ConfigMap', 'v1 Namespace']));
    const out = await done;
    expect(out.results.map((r) => `${r.kind} ${r.status}`)).toEqual(['ConfigMap valid', 'Namespace valid', 'ConfigMap valid', 'Secret skipped', 'Kustomization skipped', 'NoVersion error']);
    expect(new Set(asked)).toEqual(new Set(['v1 ConfigMap', 'v1 Namespace']));
  });
});
