/** Kept for scripts that imported it: the benchmarks now live in bench-scale.mjs and bench-health.mjs (run by bench.mjs). */
export { validateBench } from './bench-validate.mjs';
