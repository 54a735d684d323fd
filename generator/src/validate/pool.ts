/**
 * The validate stage over several threads: the files are cut into batches (whole files, about
 * `batchObjects` objects each) and this thread validates batches from the front of the queue
 * while worker threads (commands/validate-worker.ts, each with its own Stage built from the
 * same StageConfig) are fed from it too. Each batch's verdicts, warnings and reached CEL rules
 * are kept by batch number and merged in file order, so the output is the one-thread output,
 * byte for byte, however the batches were shared out.
 *
 * A worker that crashes, exits, cannot take or return a batch, or throws in one is dropped: the
 * batches it held go back to the front of the queue and this thread validates them (a batch that
 * throws here too fails the run, as without workers), and the reason is returned as `failures`
 * for the caller to report. No batch is ever taken as done without its verdicts.
 *
 * Workers are started only for `minObjects` or more objects: below that, their start-up (loading
 * the validators again, ~0.5 s of CPU) costs more than it saves.
 */
import { Worker, type MessagePort } from 'node:worker_threads';
import type { Issue } from '../errors.js';
import type { ResourceResult } from './result.js';
import { Stage, type BatchOutput, type FileJob, type StageConfig } from './stage.js';

export interface PoolOptions {
  /** Worker threads beside this one; 0: everything in this thread. */
  readonly threads: number;
  /** Fewer objects than this: no workers. */
  readonly minObjects: number;
  /** About how many objects make a batch (whole files). */
  readonly batchObjects: number;
  /** The worker's entry module (commands/validate-worker.js). */
  readonly entry: URL;
  /** false (tests): this thread takes batches only once no worker is left, so the workers' share is known. @default true */
  readonly inThread?: boolean;
  /** Test hook: every worker fails on its `batch`-th batch (1-based) by throwing in it or by ending its thread. */
  readonly fault?: { readonly kind: 'throw' | 'exit'; readonly batch: number };
}

/** What a worker is started with. */
export interface WorkerData {
  readonly config: StageConfig;
  readonly fault?: PoolOptions['fault'];
}

type ToWorker = { readonly type: 'batch'; readonly id: number; readonly files: readonly FileJob[] } | { readonly type: 'close' };
type FromWorker =
  | { readonly type: 'ready'; readonly bundled: boolean }
  | { readonly type: 'done'; readonly id: number; readonly out: BatchOutput }
  | { readonly type: 'failed'; readonly id: number; readonly error: string }
  | { readonly type: 'closed'; readonly compiled: { readonly compiled: number; readonly loaded: number } };

export interface PoolResult {
  readonly results: ResourceResult[];
  /** Warnings in the order one thread raises them (key → issue; the caller keeps the first of each key). */
  readonly warnings: (readonly [string, Issue])[];
  /** Worker threads started. */
  readonly threads: number;
  /** How each worker that came up loaded validate's code (commands/validate-worker.ts). */
  readonly loadedFrom: readonly ('bundle' | 'modules')[];
  /** Batches the workers validated. */
  readonly batchesInWorkers: number;
  /** Why a worker was dropped (its batches were validated in this thread), at the first file it held. */
  readonly failures: readonly { readonly file: string; readonly message: string }[];
  /** The workers' validators: compiled vs loaded from the cache. */
  readonly compiled: { compiled: number; loaded: number };
}

/** How many worker threads to use: `LLM_GITOPS_VALIDATE_THREADS`, else one less than the cores (at most 3). */
export function threadsFrom(env: Readonly<Record<string, string | undefined>>, cores: number): number {
  const given = env.LLM_GITOPS_VALIDATE_THREADS;
  if (given !== undefined && /^\d+$/.test(given.trim())) return Math.min(Number(given), 16);
  return Math.max(0, Math.min(cores - 1, 3));
}

const objectsIn = (f: FileJob) => f.objects?.length ?? 1;

/** Whole files, in order, about `size` objects a batch. */
export function batchesOf(files: readonly FileJob[], size: number): FileJob[][] {
  const out: FileJob[][] = [];
  let cur: FileJob[] = [];
  let n = 0;
  for (const f of files) {
    cur.push(f);
    n += objectsIn(f);
    if (n >= size) {
      out.push(cur);
      cur = [];
      n = 0;
    }
  }
  if (cur.length) out.push(cur);
  return out;
}

/** Batches a worker may hold at once (one being validated, one waiting). */
const DEPTH = 2;

/** Validates `files` with `stage` (this thread) and, when there are enough objects, worker threads; merges in file order. */
export async function validatePooled(stage: Stage, config: StageConfig, files: readonly FileJob[], opts: PoolOptions): Promise<PoolResult> {
  const total = files.reduce((n, f) => n + objectsIn(f), 0);
  const threads = total >= opts.minObjects ? opts.threads : 0;
  const batches = threads > 0 ? batchesOf(files, opts.batchObjects) : [files];
  const outputs: (BatchOutput | undefined)[] = new Array(batches.length);
  const queue = batches.map((_, i) => i);
  const failures: { file: string; message: string }[] = [];
  const compiled = { compiled: 0, loaded: 0 };
  let pending = batches.length;
  let inWorkers = 0;
  let wake = () => {};
  const loadedFrom: ('bundle' | 'modules')[] = [];

  interface Slot {
    readonly worker: Worker;
    readonly held: Set<number>;
    dead: boolean;
    closed?: () => void;
  }
  const slots: Slot[] = [];
  const feed = (s: Slot) => {
    while (!s.dead && s.held.size < DEPTH && queue.length) {
      const id = queue.shift()!;
      s.held.add(id);
      try {
        s.worker.postMessage({ type: 'batch', id, files: batches[id]! } satisfies ToWorker);
      } catch (e) {
        drop(s, `could not be given a batch: ${(e as Error).message}`);
      }
    }
  };
  const drop = (s: Slot, reason: string) => {
    if (s.dead) return;
    s.dead = true;
    const held = [...s.held].sort((a, b) => a - b);
    const file = batches[held[0] ?? 0]?.[0]?.path ?? '';
    if (pending > 0) failures.push({ file, message: `validation worker ${slots.indexOf(s) + 1} ${reason}; ${held.length ? `the ${held.length} batch(es) it held, from this file on, were` : 'its share was'} validated in the main thread instead` });
    queue.unshift(...held);
    s.held.clear();
    s.closed?.();
    void s.worker.terminate();
    for (const other of slots) feed(other);
    wake();
  };
  for (let t = 0; t < Math.min(threads, Math.max(0, batches.length - 1)); t++) {
    const worker = new Worker(opts.entry, { workerData: { config, ...(opts.fault ? { fault: opts.fault } : {}) } satisfies WorkerData });
    const s: Slot = { worker, held: new Set(), dead: false };
    slots.push(s);
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        loadedFrom.push(m.bundled ? 'bundle' : 'modules');
        feed(s);
      }
      else if (m.type === 'done') {
        if (!s.held.delete(m.id) || outputs[m.id]) return;
        outputs[m.id] = m.out;
        pending--;
        inWorkers++;
        feed(s);
        wake();
      } else if (m.type === 'failed') drop(s, `failed on a batch: ${m.error}`);
      else if (m.type === 'closed') {
        compiled.compiled += m.compiled.compiled;
        compiled.loaded += m.compiled.loaded;
        s.closed?.();
      }
    });
    worker.on('messageerror', (e) => drop(s, `sent a message that could not be read: ${e.message}`));
    worker.on('error', (e) => drop(s, `crashed: ${e.message}`));
    worker.on('exit', (code) => drop(s, `exited (code ${code})`));
  }

  try {
    while (pending > 0) {
      const id = opts.inThread !== false || slots.every((s) => s.dead) ? queue.shift() : undefined;
      if (id !== undefined) {
        outputs[id] = await stage.run(batches[id]!);
        pending--;
        // Let the workers' messages in between batches (they are fed from the same queue).
        if (slots.length) await new Promise<void>((r) => setImmediate(r));
        continue;
      }
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    // Workers write the V8 code cache of validators they loaded cold, then end.
    await Promise.all(
      slots.map(async (s) => {
        if (s.dead) return;
        await new Promise<void>((r) => {
          s.closed = r;
          try {
            s.worker.postMessage({ type: 'close' } satisfies ToWorker);
          } catch {
            r();
          }
        });
        s.dead = true;
        await s.worker.terminate();
      }),
    );
  }
  const results: ResourceResult[] = [];
  const warnings: (readonly [string, Issue])[] = [];
  const rules = [];
  for (const out of outputs as BatchOutput[]) {
    for (const r of out.results) results.push(r);
    for (const w of out.warnings) warnings.push(w);
    for (const r of out.rules) rules.push(r);
  }
  stage.validator.adoptRules(rules);
  return { results, warnings, threads: slots.length, loadedFrom, batchesInWorkers: inWorkers, failures, compiled };
}

/** A worker's side: validates the batches it is sent, one at a time, with a Stage of its own. */
export function serveWorker(port: MessagePort, data: WorkerData, bundled: boolean): void {
  const stage = new Stage(data.config);
  let n = 0;
  let chain = Promise.resolve();
  const handle = async (m: ToWorker) => {
    if (m.type === 'close') {
      await stage.compiler.persist();
      port.postMessage({ type: 'closed', compiled: stage.compiler.stats } satisfies FromWorker);
      return;
    }
    try {
      if (data.fault && ++n === data.fault.batch) {
        if (data.fault.kind === 'exit') process.exit(3);
        throw new Error('injected fault (test hook)');
      }
      const out = await stage.run(m.files);
      port.postMessage({ type: 'done', id: m.id, out } satisfies FromWorker);
    } catch (e) {
      port.postMessage({ type: 'failed', id: m.id, error: e instanceof Error ? e.message : String(e) } satisfies FromWorker);
    }
  };
  port.on('message', (m: ToWorker) => void (chain = chain.then(() => handle(m))));
  port.postMessage({ type: 'ready', bundled } satisfies FromWorker);
}
