/**
 * Which KServe version's CRDs a generated file is checked against: an environment's file that of
 * the environment's `platform.kserve`, a platform file (base/<v>/…, overlays/<o>/<v>/…) that of
 * its folder, anything else the default version. Shared by `validate` and `vendor --crds`, so
 * vendor fills exactly the locations validate will read.
 */
import { DEFAULT_KSERVE_VERSION } from '../model/kserve.js';
import type { Catalog } from '../model/types.js';

export function kserveVersionOf(catalog: Catalog): (file: string) => string {
  const versionOfEnv = new Map(catalog.environments.map((e) => [e.name, e.platform.kserve]));
  return (file) => {
    const env = /^environments\/([^/]+)\//.exec(file)?.[1];
    const platform = /^(?:base|overlays\/[^/]+)\/(v[^/]+)\//.exec(file)?.[1];
    return (env && versionOfEnv.get(env)) ?? platform ?? DEFAULT_KSERVE_VERSION;
  };
}
