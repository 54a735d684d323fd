/**
 * catalog/zod.ts: every schema module gets zod configured jitless before its schemas are built
 * (zod reads the setting when an object schema is created), and parsing says the same either way.
 */
import { describe, expect, it } from 'vitest';

describe('zod configuration', () => {
  it('is jitless once any schema module is loaded, and the schemas parse as they would with the JIT', async () => {
    const { z } = await import('../generator/src/catalog/zod.js');
    expect((globalThis as { __zod_globalConfig?: { jitless?: boolean } }).__zod_globalConfig?.jitless).toBe(true);
    for (const m of ['../generator/src/catalog/schema.js', '../generator/src/catalog/keys.js', '../generator/src/library/schema.js', '../generator/src/prerequisites/schema.js', '../generator/src/health/plan.js']) {
      const src = (await import('node:fs')).readFileSync(new URL(m.replace(/\.js$/, '.ts'), import.meta.url), 'utf8');
      expect({ m, zod: /from 'zod'/.test(src) }).toEqual({ m, zod: false }); // only catalog/zod.ts imports zod itself
    }
    // The same verdicts and messages as zod's compiled path: built after switching it on again.
    const shape = () => z.object({ a: z.number(), b: z.object({ c: z.string().optional() }).strict() });
    const inputs = [{ a: 1, b: {} }, { a: 'x', b: { c: 2 } }, { a: 1, b: { d: 1 } }, null];
    const jitless = shape();
    z.config({ jitless: false });
    const jit = shape();
    z.config({ jitless: true });
    for (const v of inputs) expect(JSON.stringify(jitless.safeParse(v))).toBe(JSON.stringify(jit.safeParse(v)));
  });
});
