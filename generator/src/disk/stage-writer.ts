/**
 * Who writes a stage's temps (disk/stage.ts). Both write each temp the same way — open it
 * exclusively, write, fsync, close — at most IN_FLIGHT at once, and make the folder first:
 *  - `inThread(fs)`: through the given FsOps, in this thread (every write is seen by the fault
 *    and crash hooks of disk/transaction.ts);
 *  - `inWorker(fs)`: in a worker thread, started at once, so the writes go on while this thread
 *    is busy rendering (a write needs four thread-pool round trips, and each waits for an idle
 *    event loop). The content is moved to the worker, not copied; errors come back with their
 *    code and message.
 */
import { Worker } from 'node:worker_threads';
import type { StageWriter, TempFs } from './stage.js';

/** Temp writes in flight at once (the fsyncs are the cost; the thread pool runs four). */
const IN_FLIGHT = 32;

export function inThread(fs: TempFs): StageWriter {
  let made: Promise<void> = Promise.resolve();
  let running = 0;
  let failed = false;
  const queue: (() => void)[] = [];
  let given: Promise<void>[] = [];
  const next = () => {
    running--;
    queue.shift()?.();
  };
  return {
    fs,
    mkdir: (path) => void (made = fs.mkdir(path)),
    write: (path, data) =>
      void given.push(
        new Promise<void>((resolve, reject) => {
          const start = () => {
            running++;
            // After one failure the rest are not written (the stage is discarded).
            made
              .then(() => (failed ? undefined : fs.writeFile(path, data)))
              .then(resolve, (e: unknown) => {
                failed = true;
                reject(e);
              })
              .finally(next);
          };
          if (running < IN_FLIGHT) start();
          else queue.push(start);
        }),
      ),
    // Every write of the batch ends before it answers (Promise.all would reject at the first
    // failure, and a discard could then remove the folder while a temp is still being created).
    flush: async () => {
      const batch = given;
      given = [];
      let first: { error: unknown } | undefined;
      await Promise.all(batch.map((p) => p.catch((error: unknown) => void (first ??= { error }))));
      if (first) throw first.error;
    },
    close: async () => undefined,
  };
}

/**
 * The worker's program (CommonJS, evaluated: it needs no file of its own beside the compiled
 * module). It gets the folder to make, then batches of [path, content]; it answers each batch
 * once all its temps are written, with the first error if any.
 */
const WORKER = `
const { parentPort } = require('node:worker_threads');
const { closeSync, fsync, mkdirSync, openSync, writeFileSync } = require('node:fs');
const queue = [];
let running = 0;
let failure;
// Open, write and close are quick calls made here (this thread has nothing else to do); only
// the fsync, the slow part, goes to the thread pool, so several are in flight at once.
const write = (path, data) => new Promise((resolve, reject) => {
  let fd;
  try {
    fd = openSync(path, 'wx', 0o644);
    writeFileSync(fd, data, 'utf8');
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    return reject(e);
  }
  fsync(fd, (e) => {
    try { closeSync(fd); } catch (c) { e = e || c; }
    if (e) reject(e); else resolve();
  });
});
const errorOf = (e) => ({ message: e.message, code: e.code, errno: e.errno, syscall: e.syscall, path: e.path });
const answer = (batch) => { if (--batch.left === 0) parentPort.postMessage({ n: batch.n, error: batch.error }); };
const pump = () => {
  while (running < ${IN_FLIGHT} && queue.length) {
    const [batch, path, data] = queue.shift();
    if (failure) { batch.error ??= failure; answer(batch); continue; }
    running++;
    write(path, data).then(() => answer(batch), (e) => { failure ??= errorOf(e); batch.error ??= failure; answer(batch); }).finally(() => { running--; pump(); });
  }
};
parentPort.on('message', (m) => {
  if (m.mkdir) {
    try { mkdirSync(m.mkdir); } catch (e) { failure = errorOf(e); }
  }
  // One count per temp, and one for the batch itself (answered after it is queued).
  const batch = { n: m.n, left: m.files.length / 2 + 1, error: failure };
  for (let i = 0; i < m.files.length; i += 2) queue.push([batch, m.files[i], m.files[i + 1]]);
  pump();
  answer(batch);
});
`;

interface Reply {
  readonly n: number;
  readonly error?: { message: string; code?: string; errno?: number; syscall?: string; path?: string };
}

export function inWorker(fs: TempFs): StageWriter {
  let worker: Worker | undefined;
  let sent = 0;
  let mkdir: string | undefined;
  let files: string[] = [];
  const waiting = new Map<number, { resolve: () => void; reject: (e: unknown) => void }>();
  const start = (): Worker => {
    const w = new Worker(WORKER, { eval: true });
    w.on('message', (r: Reply) => {
      const p = waiting.get(r.n);
      waiting.delete(r.n);
      if (r.error) p?.reject(Object.assign(new Error(r.error.message), r.error));
      else p?.resolve();
    });
    const fail = (e: unknown) => {
      for (const p of waiting.values()) p.reject(e);
      waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the stage's writer thread stopped (exit code ${code}) before its writes were done`)));
    return w;
  };
  // Started now rather than at the first batch: the thread boots (~40-70 ms of the writes' own
  // critical path, measured at 1,000 models) while this one still reads the tree and renders.
  // `close` ends it, so the stage's owner settles or discards it on every path.
  worker = start();
  return {
    fs,
    mkdir: (path) => void (mkdir = path),
    // [path, content, path, content, …]: one message per batch (a message costs more than its strings).
    write: (path, data) => void files.push(path, data),
    flush: () => {
      if (!files.length && mkdir === undefined) return Promise.resolve();
      const message = { n: ++sent, mkdir, files };
      [mkdir, files] = [undefined, []];
      return new Promise<void>((resolve, reject) => {
        waiting.set(message.n, { resolve, reject });
        (worker ??= start()).postMessage(message);
      });
    },
    close: async () => {
      const w = worker;
      worker = undefined;
      await w?.terminate();
    },
  };
}
