/**
 * The values of `validate --output`. A leaf module (no imports) so that `cli.ts` can offer the
 * choices without loading the report code: `--help` and every other command stay light.
 */
export const OUTPUT_FORMATS = ['text', 'json', 'junit'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
