/**
 * Handlebars (human text only: READMEs, commit and pull-request bodies), loaded from the
 * package's own single-file build, `handlebars/dist/handlebars.js`: the same 4.x library and
 * API as its main entry, which instead loads ~20 modules and the `source-map` package (for
 * precompiling to files, which the tool never does) — ≈ 40 ms of every rendering run.
 * Typed as the package's main entry.
 *
 * Loaded on first use: `compile` returns a template that loads the library and compiles on its
 * first call (Handlebars' own compile is lazy the same way), so a run that renders no text for
 * people (`validate`) never loads it (~25 ms).
 */
import { createRequire } from 'node:module';
import type HandlebarsApi from 'handlebars';

let library: typeof HandlebarsApi | undefined;
const load = () => (library ??= createRequire(import.meta.url)('handlebars/dist/handlebars.js') as typeof HandlebarsApi);

const Handlebars: Pick<typeof HandlebarsApi, 'compile' | 'create'> = {
  compile: (input, options) => {
    let template: HandlebarsTemplateDelegate | undefined;
    return (context, runtimeOptions) => (template ??= load().compile(input, options))(context, runtimeOptions);
  },
  create: () => load().create(),
};
export default Handlebars;
