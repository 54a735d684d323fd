/** Argo CD / Flux objects that deliver an environment. (Filled in by the delivery work.) */
import type { Environment } from '../model/types.js';
import type { OutputFile } from './output.js';

export function renderDelivery(_env: Environment): OutputFile[] {
  return [];
}
