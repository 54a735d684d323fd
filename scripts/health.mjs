#!/usr/bin/env node
/**
 * `npm run health -- [options]` = `llm-gitops health [options]` from a checkout (run
 * `npm run build` first). A thin entry: the command lives in generator/src/commands/health.ts.
 */
process.argv.splice(2, 0, 'health');
await import('../dist/cli.js');
