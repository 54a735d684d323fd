#!/usr/bin/env node
/** `npm run workflows`: rewrite the example workflows in scripts/ci/github/ from what `init` writes. */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderWorkflows } from '../dist/render/workflows.js';
import { exampleTool } from '../dist/install/tool.js';
import { toolVersion } from '../dist/commands/init.js';

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
for (const f of renderWorkflows({ tool: exampleTool(await toolVersion()), branch: 'main' }, 'scripts/ci/github')) {
  writeFileSync(join(PROJECT, f.path), f.content);
  console.log(`wrote ${f.path}`);
}
