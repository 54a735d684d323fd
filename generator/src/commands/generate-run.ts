/**
 * What a `generate` that must render loads (commands/generate.ts asks only on a miss of its run
 * manifest): the parser, the renderers, the admission rules and what the run manifest records of them. One module, so that
 * scripts/bundle.mjs can build it into one code-cached CommonJS file (bundle/load.ts).
 */
export { loadWorkspace } from './workspace.js';
export { catalogAdmission } from './generate-admission.js';
export { manualSecrets } from '../prerequisites/render.js';
export { runDependencies } from '../manifest/dependencies.js';
