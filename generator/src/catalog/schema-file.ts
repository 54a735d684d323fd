/**
 * The catalog JSON Schema as a file in a GitOps repository, for editors: `init` writes it beside
 * the environments and puts `# yaml-language-server: $schema=../catalog.schema.json` on top of the
 * catalog it scaffolds; `check` fails when the committed copy is not this tool's schema (after an
 * upgrade of llm-gitops), so editors never check catalogs against other rules than generate does.
 */
import { catalogJsonSchema } from './schema.js';

/** Repository-relative; catalogs at environments/<env>/catalog.yaml reach it as `../catalog.schema.json`. */
export const CATALOG_SCHEMA_FILE = 'environments/catalog.schema.json';

/** The editor line of a catalog at environments/<env>/catalog.yaml. */
export const SCHEMA_LINE = '# yaml-language-server: $schema=../catalog.schema.json';

/** The file's bytes: what `llm-gitops schema` prints. */
export function catalogSchemaText(): string {
  return `${JSON.stringify(catalogJsonSchema(), null, 2)}\n`;
}

/** The problem with the committed copy, if any (`text` undefined: the repository has none, which is fine). */
export function schemaFileProblem(text: string | undefined): string | undefined {
  if (text === undefined || text === catalogSchemaText()) return undefined;
  return `is not the catalog schema of this llm-gitops — editors would check the catalogs against other rules than generate; run \`llm-gitops schema > ${CATALOG_SCHEMA_FILE}\` and commit it`;
}
