/**
 * render/shape.ts builds objects by assignment instead of multi-spread literals (for shared V8
 * maps); it must give exactly what the spread gave: same keys, same order, same values, and a
 * `__proto__` key kept as an own property rather than turned into the prototype.
 */
import { describe, expect, it } from 'vitest';
import { combined } from '../generator/src/render/shape.js';

describe('combined', () => {
  it('equals the spread of its parts, key order included (a later part overwrites in place)', () => {
    const a = { z: 1, a: { n: 1 }, m: 'x' };
    const b = { a: 2, q: [1] };
    const c = { z: 'last', new: null };
    const spread = { ...a, ...b, ...c };
    const got = combined(a, undefined, b, c);
    expect(Object.keys(got)).toEqual(Object.keys(spread));
    expect(got).toStrictEqual(spread);
    expect(combined()).toStrictEqual({});
  });

  it('keeps a __proto__ key from hostile input as an own key, as a spread does', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, never>;
    const spread = { ...hostile };
    const got = combined(hostile);
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect(Object.keys(got)).toEqual(['__proto__', 'ok']);
    expect(Object.getOwnPropertyDescriptor(got, '__proto__')).toEqual(Object.getOwnPropertyDescriptor(spread, '__proto__'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
