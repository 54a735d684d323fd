/**
 * `import()` by computed name, for the client-node model files validate/known-fields.ts reads.
 * Its own module because a bundle compiled with V8's code cache cannot `import()`: bundle/load.ts
 * hands this one in (scripts/bundle.mjs leaves it outside those bundles), and a bare specifier
 * resolves from dist/ wherever it runs (here, or inside the command table's CommonJS bundle).
 */
export const importModule = (specifier: string): Promise<unknown> => import(specifier);
