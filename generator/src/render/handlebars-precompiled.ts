/**
 * The tool's own templates precompiled (Handlebars.precompile), by `templateKey`. Empty here: in
 * the bundles scripts/bundle.mjs replaces this module with the specs of every template the bundled
 * modules declare, so a bundled run (generate's render run) loads only Handlebars' runtime and
 * compiles nothing; the unbundled modules compile each template on its first use, the reference
 * the bundle is compared with (test/generate-bundle.test.ts).
 */
export const PRECOMPILED: Readonly<Record<string, TemplateSpecification>> = {};
