/**
 * Catalog rules about prerequisites: what the tree installs must have a version, the AI gateway
 * can only be installed with the Envoy Gateway it reconfigures, and `modelAccess` names Secrets
 * the models use. They judge the normalized environment (requirements.ts), so they see exactly
 * what generate would deliver.
 */
import type { Issue } from '../errors.js';
import type { CatalogDocument } from '../catalog/document.js';
import { normalize } from '../catalog/normalize.js';
import type { CatalogFile } from '../catalog/schema.js';
import type { Environment } from '../model/types.js';
import { SUPPORTED_KSERVE } from './pins.js';
import { tokenSecrets } from './render.js';
import { requirementsOf } from './requirements.js';

export function prerequisiteRules(c: CatalogFile, doc: CatalogDocument, normalized?: Environment): Issue[] {
  let env: Environment;
  try {
    env = normalized ?? normalize('env', 'catalog.yaml', c);
  } catch {
    return []; // other rules report what made the catalog unusable
  }
  const issues: Issue[] = [];
  const reqs = requirementsOf(env);
  const listed = (name: string) => c.platform?.prerequisites?.[name as keyof NonNullable<NonNullable<CatalogFile['platform']>['prerequisites']>] !== undefined;
  for (const r of reqs) {
    if (r.install === 'managed' && !r.version && r.name !== 'gateway') {
      issues.push(
        doc.at(
          listed(r.name) ? ['platform', 'prerequisites', r.name] : ['platform', 'kserve'],
          `${r.name} is installed by the tree (${r.why}) but KServe ${env.platform.kserve} has no pinned version for it (pins exist for ${SUPPORTED_KSERVE.join(', ')}) — set platform.prerequisites.${r.name}: {install: managed, version: vX.Y.Z}, or install: external`,
        ),
      );
    }
  }
  const ai = reqs.find((r) => r.name === 'envoy-ai-gateway');
  const eg = reqs.find((r) => r.name === 'envoy-gateway');
  if (ai?.install === 'managed' && eg?.install !== 'managed') {
    issues.push(
      doc.at(
        listed('envoy-ai-gateway') ? ['platform', 'prerequisites', 'envoy-ai-gateway'] : ['platform', 'mode'],
        `envoy-ai-gateway is managed but envoy-gateway is ${eg?.install ?? 'not installed'} — the AI gateway is wired in through Envoy Gateway's Helm values, so set envoy-gateway: managed too, or envoy-ai-gateway: external`,
      ),
    );
  }
  // `source: vendored` only changes a chart the tree installs.
  for (const [name, setting] of Object.entries(env.prerequisites)) {
    if (setting?.source !== 'vendored') continue;
    const r = reqs.find((x) => x.name === name);
    if (r?.install === 'managed') continue;
    issues.push(
      doc.at(
        ['platform', 'prerequisites', name, 'source'],
        `vendored has no effect: the tree does not install ${name} (${r ? r.install : 'no model needs it'}) — remove source: vendored, or set install: managed`,
        { severity: 'warning' },
      ),
    );
  }
  const used = new Set(tokenSecrets(env));
  for (const t of env.modelAccess) {
    if (!used.has(t.secret)) {
      issues.push(doc.at(['modelAccess', t.secret], `no model names Secret "${t.secret}" in hfTokenSecret — remove the entry, or set hfTokenSecret: ${t.secret} on the models that need it`, { onKey: true, severity: 'warning' }));
    }
  }
  return issues;
}
