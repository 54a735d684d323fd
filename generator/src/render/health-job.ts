/** The scheduled readiness check of an environment. (Filled in by the health work.) */
import type { Environment } from '../model/types.js';
import type { OutputFile } from './output.js';

export function renderHealthJob(_env: Environment): OutputFile[] {
  return [];
}
