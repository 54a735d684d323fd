/**
 * `import()` by computed name, for the client-node model files validate/known-fields.ts reads.
 * Its own module because a bundle compiled with V8's code cache cannot `import()`: bundle/load.ts
 * hands this one in (scripts/bundle.mjs leaves it outside the bundles), so it runs from dist/.
 */
export const importModule = (specifier: string): Promise<unknown> => import(specifier);
