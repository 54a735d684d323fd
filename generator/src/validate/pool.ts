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
import { Worker } from 'node:worker_threads';
import type { Issue } from '../errors.js';
import type { ResourceResult } from './result.js';
import type { FromWorker, ToWorker, WorkerData } from './pool-worker.js';
import type { BatchOutput, FileJob, Stage, StageConfig } from './stage.js';

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

/**
 * How many worker threads to use: `LLM_GITOPS_VALIDATE_THREADS` (at most 16), else none. Opt-in:
 * a worker loads the validators again and gets its objects copied (~2 s more CPU and ~110 MiB more
 * peak at 10k models), which paid off in no measurement on the shared 2-core machine (README,
 * "Validate on several cores"); it helps only where a core is idle.
 */
export function threadsFrom(env: Readonly<Record<string, string | undefined>>): number {
  const given = env.LLM_GITOPS_VALIDATE_THREADS;
  return given !== undefined && /^\d+$/.test(given.trim()) ? Math.min(Number(given), 16) : 0;
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

interface Slot {
  readonly worker: Worker;
  readonly held: Set<number>;
  ready: boolean;
  dead: boolean;
  /** Why it died before a run could take its share. */
  lost?: string;
  closed?: () => void;
}

/** Where a run is, for the workers' events. */
interface Run {
  readonly batches: readonly (readonly FileJob[])[];
  readonly outputs: (BatchOutput | undefined)[];
  readonly queue: number[];
  readonly failures: { file: string; message: string }[];
  pending: number;
  inWorkers: number;
  wake: () => void;
}

/**
 * Worker threads for the validate stage, started before the files are rendered (so they load
 * validate's code while the main thread renders) and given the StageConfig and batches by `validate`.
 */
export class ValidatePool {
  private readonly slots: Slot[] = [];
  private run?: Run;
  /** How each worker that came up loaded validate's code (commands/validate-worker.ts). */
  readonly loadedFrom: ('bundle' | 'modules')[] = [];
  /** The workers' validators: compiled vs loaded from the cache. */
  readonly compiled = { compiled: 0, loaded: 0 };

  constructor(threads: number, entry: URL, cacheDir: string | undefined, fault?: PoolOptions['fault']) {
    for (let t = 0; t < threads; t++) {
      const worker = new Worker(entry, { workerData: { cacheDir, ...(fault ? { fault } : {}) } satisfies WorkerData });
      const s: Slot = { worker, held: new Set(), ready: false, dead: false };
      this.slots.push(s);
      worker.on('message', (m: FromWorker) => this.onMessage(s, m));
      worker.on('messageerror', (e) => this.drop(s, `sent a message that could not be read: ${e.message}`));
      worker.on('error', (e) => this.drop(s, `crashed: ${e.message}`));
      worker.on('exit', (code) => this.drop(s, `exited (code ${code})`));
    }
  }

  get size(): number {
    return this.slots.length;
  }

  private onMessage(s: Slot, m: FromWorker) {
    const run = this.run;
    if (m.type === 'ready') {
      s.ready = true;
      this.loadedFrom.push(m.bundled ? 'bundle' : 'modules');
      if (run) this.feed(s, run);
    } else if (m.type === 'done') {
      if (!run || !s.held.delete(m.id) || run.outputs[m.id]) return;
      run.outputs[m.id] = m.out;
      run.pending--;
      run.inWorkers++;
      this.feed(s, run);
      run.wake();
    } else if (m.type === 'failed') this.drop(s, `failed on a batch: ${m.error}`);
    else if (m.type === 'closed') {
      this.compiled.compiled += m.compiled.compiled;
      this.compiled.loaded += m.compiled.loaded;
      s.closed?.();
    }
  }

  private feed(s: Slot, run: Run) {
    while (s.ready && !s.dead && s.held.size < DEPTH && run.queue.length) {
      const id = run.queue.shift()!;
      s.held.add(id);
      try {
        s.worker.postMessage({ type: 'batch', id, files: run.batches[id]! } satisfies ToWorker);
      } catch (e) {
        this.drop(s, `could not be given a batch: ${(e as Error).message}`);
      }
    }
  }

  private drop(s: Slot, reason: string) {
    if (s.dead) return;
    s.dead = true;
    s.closed?.();
    void s.worker.terminate();
    const run = this.run;
    if (!run) {
      s.lost = reason;
      return;
    }
    const held = [...s.held].sort((a, b) => a - b);
    s.held.clear();
    if (run.pending > 0) run.failures.push({ file: run.batches[held[0] ?? 0]?.[0]?.path ?? '', message: this.lostMessage(s, reason, held.length) });
    run.queue.unshift(...held);
    for (const other of this.slots) this.feed(other, run);
    run.wake();
  }

  private lostMessage(s: Slot, reason: string, held: number) {
    return `validation worker ${this.slots.indexOf(s) + 1} ${reason}; ${held ? `the ${held} batch(es) it held, from this file on, were` : 'its share was'} validated in the main thread instead`;
  }

  /** Validates `files` in batches of about `batchObjects` objects, here and in the workers; merged in file order. */
  async validate(stage: Stage, config: StageConfig, files: readonly FileJob[], opts: { readonly batchObjects: number; readonly inThread?: boolean }): Promise<PoolResult> {
    const batches = this.slots.length ? batchesOf(files, opts.batchObjects) : [files];
    const run: Run = { batches, outputs: new Array(batches.length), queue: batches.map((_, i) => i), failures: [], pending: batches.length, inWorkers: 0, wake: () => {} };
    this.run = run;
    for (const s of this.slots) {
      if (s.lost !== undefined) run.failures.push({ file: files[0]?.path ?? '', message: this.lostMessage(s, s.lost, 0) });
      if (s.dead) continue;
      try {
        s.worker.postMessage({ type: 'config', config } satisfies ToWorker);
      } catch (e) {
        this.drop(s, `could not be given the run: ${(e as Error).message}`);
      }
      this.feed(s, run);
    }
    try {
      while (run.pending > 0) {
        const id = opts.inThread !== false || this.slots.every((s) => s.dead) ? run.queue.shift() : undefined;
        if (id !== undefined) {
          run.outputs[id] = await stage.run(batches[id]!);
          run.pending--;
          // Let the workers' messages in between batches (they are fed from the same queue).
          if (this.slots.length) await new Promise<void>((r) => setImmediate(r));
          continue;
        }
        await new Promise<void>((r) => (run.wake = r));
      }
    } finally {
      await this.close();
    }
    const results: ResourceResult[] = [];
    const warnings: (readonly [string, Issue])[] = [];
    const rules = [];
    for (const out of run.outputs as BatchOutput[]) {
      for (const r of out.results) results.push(r);
      for (const w of out.warnings) warnings.push(w);
      for (const r of out.rules) rules.push(r);
    }
    stage.validator.adoptRules(rules);
    return { results, warnings, threads: this.slots.length, loadedFrom: this.loadedFrom, batchesInWorkers: run.inWorkers, failures: run.failures, compiled: this.compiled };
  }

  /** Ends the workers (those that did batches first write the V8 code cache of validators they loaded cold). */
  async close(): Promise<void> {
    await Promise.all(
      this.slots.map(async (s) => {
        if (s.dead) return;
        if (s.ready && this.run) {
          await new Promise<void>((r) => {
            s.closed = r;
            try {
              s.worker.postMessage({ type: 'close' } satisfies ToWorker);
            } catch {
              r();
            }
          });
        }
        s.dead = true;
        await s.worker.terminate();
      }),
    );
  }
}

/**
 * Validates `files` with `stage` (this thread) and worker threads — `pool`'s, or started here when
 * there are `minObjects` or more objects — merged in file order.
 */
export async function validatePooled(stage: Stage, config: StageConfig, files: readonly FileJob[], opts: PoolOptions, pool?: ValidatePool): Promise<PoolResult> {
  const total = files.reduce((n, f) => n + objectsIn(f), 0);
  const threads = total >= opts.minObjects ? Math.min(opts.threads, Math.max(0, Math.ceil(total / opts.batchObjects) - 1)) : 0;
  return (pool ?? new ValidatePool(threads, opts.entry, config.cacheDir, opts.fault)).validate(stage, config, files, opts);
}
