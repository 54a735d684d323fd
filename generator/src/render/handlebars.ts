/**
 * Handlebars (human text only: READMEs, commit and pull-request bodies).
 *
 * Loaded on first use: `compile` returns a template that makes itself on its first call, so a run
 * that renders no text for people (`validate`) loads no Handlebars (~25 ms). Then, by what it finds:
 *  - a precompiled spec of the same source and options (render/handlebars-precompiled.ts: filled
 *    in the bundles at build): Handlebars' runtime build, `handlebars/dist/handlebars.runtime.js`
 *    (a third of the library, no parser or compiler), and nothing compiled (~35 ms of every
 *    bundled generate that writes a README);
 *  - none (the unbundled modules, a user's --message-template): the package's single-file build,
 *    `handlebars/dist/handlebars.js`, the same 4.x library and API as its main entry, which instead
 *    loads ~20 modules and the `source-map` package (for precompiling to files) — ≈ 40 ms.
 * Typed as the package's main entry.
 */
import { hash } from 'node:crypto';
import { createRequire } from 'node:module';
import type HandlebarsApi from 'handlebars';
import { PRECOMPILED } from './handlebars-precompiled.js';

const requireHere = createRequire(import.meta.url);
let library: typeof HandlebarsApi | undefined;
let runtime: typeof HandlebarsApi | undefined;
const full = () => (library ??= requireHere('handlebars/dist/handlebars.js') as typeof HandlebarsApi);

type CompileOptions = Parameters<typeof HandlebarsApi.compile>[1];

/** What names a template's precompiled spec: its source and compile options (keys sorted). */
export function templateKey(input: string, options: CompileOptions = {}): string {
  const opts = Object.fromEntries(Object.entries(options).sort(([a], [b]) => (a < b ? -1 : 1)));
  return hash('sha256', JSON.stringify([input, opts]), 'hex').slice(0, 32);
}

/** Every template `compile` was given in this process (scripts/bundle.mjs precompiles those the bundled modules declare). */
export const declaredTemplates: { readonly input: string; readonly options: CompileOptions }[] = [];

function make(input: string, options: CompileOptions): HandlebarsTemplateDelegate {
  const spec = PRECOMPILED[templateKey(input, options)];
  if (!spec) return full().compile(input, options);
  return (runtime ??= requireHere('handlebars/dist/handlebars.runtime.js') as typeof HandlebarsApi).template(spec);
}

const Handlebars: Pick<typeof HandlebarsApi, 'compile' | 'create'> = {
  compile: (input, options) => {
    declaredTemplates.push({ input, options });
    let template: HandlebarsTemplateDelegate | undefined;
    return (context, runtimeOptions) => (template ??= make(input, options))(context, runtimeOptions);
  },
  create: () => full().create(),
};
export default Handlebars;
