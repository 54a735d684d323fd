import { describe, expect, it } from 'vitest';
import { deepMerge } from '../generator/src/render/merge.js';
import { imageOverride } from '../generator/src/render/kustomization.js';

describe('escape-hatch merge', () => {
  it('merges maps, deletes on null, merges named lists by name, replaces other lists', () => {
    const base = { replicas: 1, router: { route: {}, scheduler: {} }, args: ['a'], template: { containers: [{ name: 'main', image: 'x', env: [{ name: 'A', value: '1' }] }] } };
    const patch = { replicas: null, router: { scheduler: null }, args: ['b'], template: { containers: [{ name: 'main', env: [{ name: 'B', value: '2' }] }, { name: 'side', image: 'y', x: null }] } };
    expect(deepMerge(base, patch)).toEqual({
      router: { route: {} },
      args: ['b'],
      template: { containers: [{ name: 'main', image: 'x', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }, { name: 'side', image: 'y' }] },
    });
  });

  it('does not mutate its inputs', () => {
    const base = { a: { b: 1 } };
    deepMerge(base, { a: { c: 2 } });
    expect(base).toEqual({ a: { b: 1 } });
  });
});

describe('kustomize images entries', () => {
  it('splits tag, digest and registry ports correctly', () => {
    expect(imageOverride('ghcr.io/llm-d/llm-d-cuda', 'ghcr.io/llm-d/llm-d-cuda:v0.8.1')).toEqual({ name: 'ghcr.io/llm-d/llm-d-cuda', newTag: 'v0.8.1' });
    expect(imageOverride('a/b', 'reg:5000/a/b')).toEqual({ name: 'a/b', newName: 'reg:5000/a/b' });
    expect(imageOverride('a/b', 'reg:5000/a/b:v1')).toEqual({ name: 'a/b', newName: 'reg:5000/a/b', newTag: 'v1' });
    expect(imageOverride('a/b', 'm/b@sha256:abc')).toEqual({ name: 'a/b', newName: 'm/b', digest: 'sha256:abc' });
  });
});
