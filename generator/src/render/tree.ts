/**
 * Catalog → every generated file of the repository. Pure; fails on two files at one path.
 */
import type { Catalog } from '../model/types.js';
import { renderDelivery } from './delivery.js';
import { renderModels, renderPlatformEntry } from './environment.js';
import { renderHealthJob } from './health-job.js';
import { renderEnvironmentReadme } from './environment-readme.js';
import { composeFiles, type OutputFile } from './output.js';
import { platformPins, renderPlatform } from './platform.js';
import { renderPrerequisiteBases, renderPrerequisites } from '../prerequisites/render.js';

export function renderTree(catalog: Catalog): OutputFile[] {
  return composeFiles(
    ...platformPins(catalog.environments).map(renderPlatform),
    ...catalog.environments.map(renderModels),
    ...catalog.environments.map(renderPlatformEntry),
    ...catalog.environments.map(renderDelivery),
    ...catalog.environments.map(renderHealthJob),
    catalog.environments.map(renderEnvironmentReadme),
    renderPrerequisiteBases(catalog.environments),
    ...catalog.environments.map(renderPrerequisites),
  );
}
