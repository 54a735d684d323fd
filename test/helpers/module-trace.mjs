// Preloaded with `node --import` by test/startup.test.ts: appends every module URL the process
// resolves to $MODULE_TRACE_FILE (one per line), to prove which commands load which packages.
import { register } from 'node:module';

register('./module-trace-hooks.mjs', import.meta.url, { data: { file: process.env.MODULE_TRACE_FILE } });
