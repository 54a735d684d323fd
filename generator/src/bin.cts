#!/usr/bin/env node
/**
 * The bin entry (package.json `bin`, the Dockerfile's ENTRYPOINT). CommonJS, so that `--help`,
 * `--version` and usage errors start without Node's ES-module loader: it runs
 * dist/cli.bundle.cjs — cli.js, the option parsers it imports, validate's front (its arguments,
 * run manifest and bundle loader) and commander in one CommonJS file (scripts/bundle.mjs) — when
 * that was built from exactly the modules now beside it (bundle/cli-key.cts), else cli.js itself.
 * Either way the other actions import their command's ES modules, and errors.js is the one ES
 * module those commands use too (the bundle require()s it), so exit codes and output are the same.
 */
import fs = require('node:fs');
import path = require('node:path');
import key = require('./bundle/cli-key.cjs');

const bundle = path.join(__dirname, 'cli.bundle.cjs');
let text = '';
try {
  text = fs.readFileSync(bundle, 'utf8');
} catch {
  // no bundle (a plain tsc build): cli.js
}
let ran = false;
if (key.cliBundleFresh(__dirname, text)) {
  try {
    require(bundle); // throws only before its main() starts (a require), so falling back never runs twice
    ran = true;
  } catch {
    // fall back to the modules
  }
}
if (!ran) void import('./cli.js');
