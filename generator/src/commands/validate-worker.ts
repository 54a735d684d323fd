/**
 * A worker thread of the validate stage (validate/pool.ts starts it with the run's StageConfig):
 * loads validate's full run the way the main thread does — from its V8-code-cached bundle when
 * this build has one (bundle/load.ts), else as modules — and serves batches with it. Anything
 * that fails here (loading included) ends the thread with an error the pool reports, and the
 * main thread validates the batches instead.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadBundled } from '../bundle/load.js';
import { DiskCache } from '../validate/cache.js';
import type { WorkerData } from '../validate/pool-worker.js';

type Run = typeof import('./validate-run.js');
const data = workerData as WorkerData;
if (!parentPort) throw new Error('commands/validate-worker.js runs only as a worker thread of validate');
const bundled = await loadBundled<Run>('commands/validate-run', new DiskCache(data.cacheDir));
const run = bundled?.exports ?? (await import('./validate-run.js'));
run.serveValidateWorker(parentPort, data, bundled !== undefined);
