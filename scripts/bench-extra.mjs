/** The benchmarks `npm run bench` runs after generate/check: validate, then health. */
import { benches as validateBenches } from './bench-validate.mjs';
import { healthBench } from './bench-health.mjs';

export const benches = [...validateBenches, async () => healthBench()];
