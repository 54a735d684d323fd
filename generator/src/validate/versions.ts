/**
 * Which KServe version's CRDs a generated file is checked against: an environment's file that of
 * the environment's `platform.kserve`, a platform file (base/<v>/…, overlays/<o>/<v>/…) that of
 * its folder, anything else the default version. Shared by `validate` and `vendor --crds`, so
 * vendor fills exactly the locations validate will read.
 */
import { DEFAULT_KSERVE_VERSION } from '../model/kserve.js';
import type { Catalog } from '../model/types.js';

const ENVIRONMENTS = 'environments/';
const PLATFORM = /^(?:base|overlays\/[^/]+)\/(v[^/]+)\//;

export function kserveVersionOf(catalog: Catalog): (file: string) => string {
  const versionOfEnv = new Map(catalog.environments.map((e) => [e.name, e.platform.kserve]));
  return (file) => {
    // What /^environments\/([^/]+)\// captures, without a regular expression per file (most files are an environment's).
    const slash = file.startsWith(ENVIRONMENTS) ? file.indexOf('/', ENVIRONMENTS.length) : -1;
    const env = slash > ENVIRONMENTS.length ? file.slice(ENVIRONMENTS.length, slash) : undefined;
    const found = env === undefined ? undefined : versionOfEnv.get(env);
    // Only a path under base/ or overlays/ can be a platform file.
    return found ?? (file.startsWith('base/') || file.startsWith('overlays/') ? PLATFORM.exec(file)?.[1] : undefined) ?? DEFAULT_KSERVE_VERSION;
  };
}
