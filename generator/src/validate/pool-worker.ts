/**
 * A validation worker's side of validate/pool.ts, and the messages both sides exchange. The
 * worker builds its own Stage from the run's StageConfig (the first message) and validates the
 * batches it is sent, one at a time, answering each with its verdicts or the error it threw.
 */
import type { MessagePort } from 'node:worker_threads';
import type { PoolOptions } from './pool.js';
import { Stage, type BatchOutput, type FileJob, type StageConfig } from './stage.js';

/** What a worker is started with (its StageConfig comes as the first message, once the files are rendered). */
export interface WorkerData {
  readonly cacheDir: string | undefined;
  readonly fault?: PoolOptions['fault'];
}

export type ToWorker = { readonly type: 'config'; readonly config: StageConfig } | { readonly type: 'batch'; readonly id: number; readonly files: readonly FileJob[] } | { readonly type: 'close' };
export type FromWorker =
  | { readonly type: 'ready'; readonly bundled: boolean }
  | { readonly type: 'done'; readonly id: number; readonly out: BatchOutput }
  | { readonly type: 'failed'; readonly id: number; readonly error: string }
  | { readonly type: 'closed'; readonly compiled: { readonly compiled: number; readonly loaded: number } };

/** A worker's side: validates the batches it is sent, one at a time, with a Stage built from the first message's config. */
export function serveWorker(port: MessagePort, data: WorkerData, bundled: boolean): void {
  let stage: Stage | undefined;
  let n = 0;
  let chain = Promise.resolve();
  const handle = async (m: ToWorker) => {
    if (m.type === 'config') {
      stage = new Stage(m.config);
      return;
    }
    if (m.type === 'close') {
      await stage?.persist();
      port.postMessage({ type: 'closed', compiled: stage?.compiler.stats ?? { compiled: 0, loaded: 0 } } satisfies FromWorker);
      return;
    }
    try {
      if (data.fault && ++n === data.fault.batch) {
        if (data.fault.kind === 'exit') process.exit(3);
        throw new Error('injected fault (test hook)');
      }
      if (!stage) throw new Error('a batch before the run configuration');
      const out = await stage.run(m.files);
      port.postMessage({ type: 'done', id: m.id, out } satisfies FromWorker);
    } catch (e) {
      port.postMessage({ type: 'failed', id: m.id, error: e instanceof Error ? e.message : String(e) } satisfies FromWorker);
    }
  };
  port.on('message', (m: ToWorker) => void (chain = chain.then(() => handle(m))));
  port.postMessage({ type: 'ready', bundled } satisfies FromWorker);
}
