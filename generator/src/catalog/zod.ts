/**
 * zod, configured once for the tool: every schema module imports `z` from here, so the setting
 * holds before any schema is built (zod reads it when an object schema is created).
 *
 * jitless: zod 4 compiles each object schema's success path with `new Function` on first parse.
 * That generated code is outside V8's code cache of our bundles and costs more to compile than it
 * saves on the few catalogs a run parses: measured with validate --timings, renderCpuMs median
 * 45 -> 40 ms on the 1 x 10 small tree (11 interleaved runs), and 3.0-3.7 -> 2.9-3.6 s on the
 * 10 x 1000 tree (3 runs). The results and messages are the same: zod's compiled path only ever
 * handles input that passes, anything else goes through the same checks as without it.
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };
