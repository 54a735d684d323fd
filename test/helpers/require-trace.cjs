// Preloaded with `node -r` by test/generate-bundle.test.ts: at exit, appends every file in
// require()'s cache to $REQUIRE_TRACE_FILE (one per line) — the CommonJS loads the ES-module
// trace (module-trace.mjs) does not see, such as the Handlebars build render/handlebars.ts picks.
const { appendFileSync } = require('node:fs');
process.on('exit', () => {
  if (process.env.REQUIRE_TRACE_FILE) appendFileSync(process.env.REQUIRE_TRACE_FILE, Object.keys(require.cache).map((k) => `${k}\n`).join(''));
});
