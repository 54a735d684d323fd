/**
 * `vendor`: is the source really the KServe release it is vendored as? Its config carries no
 * version string, so the LLMInferenceService CRD is compared with the support matrix's sha256;
 * a `python/VERSION` file (a checkout or release tarball has one) must agree too.
 */
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { kserveRelease, SUPPORTED_SENTENCE } from '../model/kserve.js';
import { sha256 } from './vendor.js';
import { readOptional } from './files.js';

export const CRD_PATH = 'config/crd/full/llmisvc/serving.kserve.io_llminferenceservices.yaml';

/** Throws unless `version` is supported (exit 2: a wrong --version is usage). */
export function requireSupported(version: string, where: string): void {
  if (!kserveRelease(version)) throw UserError.of(where, `KServe ${version} is not supported — ${SUPPORTED_SENTENCE}`, 2);
}

/** Throws unless the source at `kserveRoot` (named `from` to the user) is KServe `version`. */
export async function verifySourceVersion(kserveRoot: string, from: string, version: string): Promise<void> {
  const release = kserveRelease(version)!;
  const fix = `pass the ${version} source (a checkout at the tag, or https://github.com/kserve/kserve/archive/refs/tags/${version}.tar.gz), or --version for the release it is`;
  const declared = (await readOptional(join(kserveRoot, 'python', 'VERSION')))?.trim();
  if (declared !== undefined && declared.replace(/^v/, '') !== version.replace(/^v/, '')) {
    throw UserError.of(from, `is KServe ${declared} (python/VERSION), not ${version} — ${fix}`);
  }
  const crd = await readOptional(join(kserveRoot, CRD_PATH));
  if (crd === undefined) throw UserError.of(from, `has no ${CRD_PATH} — not a KServe ${version} source; ${fix}`);
  const sum = sha256(crd);
  if (sum !== release.llmisvcCrdSha256) {
    throw UserError.of(from, `is not KServe ${version}: its ${CRD_PATH} (sha256 ${sum.slice(0, 12)}…) differs from ${version}'s (${release.llmisvcCrdSha256.slice(0, 12)}…) — ${fix}`);
  }
}
