/**
 * Catalog → every generated file of the repository. Pure; fails on two files at one path.
 */
import type { Catalog, Environment, Model } from '../model/types.js';
import { renderDelivery } from './delivery.js';
import { renderModels, renderPlatformEntry } from './environment.js';
import { renderHealthJob } from './health-job.js';
import { renderEnvironmentReadme } from './environment-readme.js';
import { composeFiles, type OutputFile } from './output.js';
import { platformPins, renderPlatform } from './platform.js';
import { renderPrerequisiteBases, renderPrerequisites } from '../prerequisites/render.js';

/**
 * What a caller knows renders identically elsewhere and does not need (`diff`: what its two
 * revisions share). An environment's own files depend on that environment only, and a model's
 * own files on its environment's settings, the model and its folder; base/ is always rendered.
 */
export interface RenderOmit {
  /** None of this environment's own files. */
  readonly env?: (env: Environment) => boolean;
  /** Not this model's own files (the kustomization still lists them). */
  readonly model?: (env: Environment, model: Model) => boolean;
}

/** What to leave out: `RenderOmit`, and with `readmes`, every README.md (text for people; `validate` checks the YAML only). */
export interface RenderOptions extends RenderOmit {
  readonly readmes?: boolean;
}

/**
 * `rendered`: environments whose own files the caller rendered already (`renderEnvironment`,
 * generate does it while loading the next catalog); they are used as they are.
 */
export function renderTree(catalog: Catalog, omit: RenderOptions = {}, rendered?: ReadonlyMap<Environment, readonly OutputFile[]>): OutputFile[] {
  const envs = omit.env ? catalog.environments.filter((e) => !omit.env!(e)) : catalog.environments;
  return composeFiles(
    ...platformPins(catalog.environments).map(renderPlatform),
    ...envs.map((e) => rendered?.get(e) ?? renderEnvironment(e, omit)),
    renderPrerequisiteBases(catalog.environments),
  );
}

/** An environment's own files: they depend on that environment only (composed, with the shared ones, by renderTree). */
export function renderEnvironment(e: Environment, omit: RenderOptions = {}): OutputFile[] {
  return [
    ...renderModels(e, omit.model),
    ...renderPlatformEntry(e),
    ...renderDelivery(e, omit),
    ...renderHealthJob(e),
    ...(omit.readmes ? [] : [renderEnvironmentReadme(e)]),
    ...renderPrerequisites(e, omit),
  ];
}
