/**
 * Handlebars (human text only: READMEs, commit and pull-request bodies), loaded from the
 * package's own single-file build, `handlebars/dist/handlebars.js`: the same 4.x library and
 * API as its main entry, which instead loads ~20 modules and the `source-map` package (for
 * precompiling to files, which the tool never does) — ≈ 40 ms of every rendering run.
 * Typed as the package's main entry.
 */
import { createRequire } from 'node:module';
import type HandlebarsApi from 'handlebars';

const Handlebars = createRequire(import.meta.url)('handlebars/dist/handlebars.js') as typeof HandlebarsApi;
export default Handlebars;
