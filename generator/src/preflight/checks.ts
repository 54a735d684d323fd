/**
 * Needs → the lists to make (O(kinds): one per CRD asked for, cluster-scoped kinds once, the rest
 * once per namespace; never per model) → one result per need. Pure: the lists' outcomes come in.
 */
import type { ApiProblem } from '../cluster/problem.js';
import type { KindRef } from '../health/kinds.js';
import { listKey, type ListOutcome } from '../health/observation.js';
import { gpuFit, nodeInfo } from './gpu.js';
import { CERT_MANAGER, PREFLIGHT_KINDS as K } from './kinds.js';
import type { Needs } from './needs.js';

export interface PreflightList {
  readonly key: string;
  readonly kind: KindRef;
  readonly namespace?: string;
  readonly fieldSelector?: string;
  readonly metadataOnly?: boolean;
}

export type CheckName = 'crd' | 'gateway-class' | 'gateway' | 'cert-manager' | 'secret' | 'storage-class' | 'gpu';

export interface CheckResult {
  readonly check: CheckName;
  readonly subject: string;
  readonly ok: boolean;
  readonly message: string;
}

export function preflightLists(needs: Needs): PreflightList[] {
  const out: PreflightList[] = needs.crds.map((c) => ({ key: `crd/${c.name}`, kind: K.CustomResourceDefinition, fieldSelector: `metadata.name=${c.name}` }));
  if (needs.gateways.length) {
    out.push({ key: listKey('GatewayClass', undefined), kind: K.GatewayClass });
    for (const ns of new Set(needs.gateways.map((g) => g.namespace))) out.push({ key: listKey('Gateway', ns), kind: K.Gateway, namespace: ns });
  }
  if (needs.certManagerWebhook) out.push({ key: listKey('Deployment', CERT_MANAGER.namespace), kind: K.Deployment, namespace: CERT_MANAGER.namespace });
  for (const ns of new Set(needs.secrets.map((s) => s.namespace))) out.push({ key: listKey('Secret', ns), kind: K.Secret, namespace: ns, metadataOnly: true });
  if (needs.storageClasses.length) out.push({ key: listKey('StorageClass', undefined), kind: K.StorageClass });
  if (needs.gpus.length) out.push({ key: listKey('Node', undefined), kind: K.Node });
  return out;
}

type Obj = { metadata?: { name?: string; annotations?: Record<string, string> }; spec?: Record<string, unknown>; status?: { conditions?: { type?: string; status?: string; reason?: string; message?: string }[]; [k: string]: unknown } };

const cond = (o: Obj | undefined, type: string) => o?.status?.conditions?.find((c) => c.type === type);
const named = (items: readonly unknown[], name: string) => (items as Obj[]).find((o) => o?.metadata?.name === name);

export interface PreflightRound {
  readonly results: readonly CheckResult[];
  readonly problems: readonly ApiProblem[];
}

export function assessPreflight(needs: Needs, lists: ReadonlyMap<string, ListOutcome>): PreflightRound {
  const results: CheckResult[] = [];
  const problems: ApiProblem[] = [];
  /** Items of a list; a 404 is "not installed" (undefined), other failures are problems. */
  const items = (key: string): readonly unknown[] | undefined => {
    const o = lists.get(key);
    if (!o) return undefined;
    if (o.ok) return o.items;
    if (o.problem.kind !== 'not-installed') problems.push(o.problem);
    return undefined;
  };
  const add = (check: CheckName, subject: string, ok: boolean, message: string) => results.push({ check, subject, ok, message });

  for (const c of needs.crds) {
    const got = items(`crd/${c.name}`);
    if (!got) continue;
    const crd = named(got, c.name);
    const established = cond(crd, 'Established');
    const versions = ((crd?.spec?.versions as { name?: string; served?: boolean }[] | undefined) ?? []).filter((v) => v.served).map((v) => v.name);
    if (!crd) add('crd', c.name, false, `not installed — needed by ${c.why}`);
    else if (established?.status !== 'True') add('crd', c.name, false, `present but not Established${established?.message ? ` (${established.message})` : ''} — needed by ${c.why}`);
    else if (c.version && !versions.includes(c.version)) add('crd', c.name, false, `serves ${versions.join(', ') || 'no version'}, not ${c.version} — install a release that serves ${c.version} (needed by ${c.why})`);
    else add('crd', c.name, true, `Established${c.version ? `, serves ${c.version}` : ''}`);
  }

  if (needs.gateways.length) {
    const classes = items(listKey('GatewayClass', undefined));
    for (const g of needs.gateways) {
      const subject = `${g.namespace}/${g.name}`;
      const found = items(listKey('Gateway', g.namespace));
      if (!found) {
        if (!problems.length) add('gateway', subject, false, `Gateway API is not installed — needed by ${g.why}`);
        continue;
      }
      const gw = named(found, g.name);
      if (!gw) {
        add('gateway', subject, false, `no Gateway ${subject} — needed by ${g.why}; create it (KServe's default is kserve/kserve-ingress-gateway) or set the model's router.gateway.refs`);
        continue;
      }
      const programmed = cond(gw, 'Programmed');
      add('gateway', subject, programmed?.status === 'True', programmed?.status === 'True' ? 'Programmed' : `not Programmed${programmed?.reason ? ` (${programmed.reason}${programmed.message ? `: ${programmed.message}` : ''})` : ''} — check the gateway controller`);
      const className = gw.spec?.gatewayClassName as string | undefined;
      if (className && classes && !results.some((r) => r.check === 'gateway-class' && r.subject === className)) {
        const gc = named(classes, className);
        const accepted = cond(gc, 'Accepted');
        add('gateway-class', className, accepted?.status === 'True', !gc ? `no GatewayClass ${className} (Gateway ${subject} uses it) — install the gateway controller` : accepted?.status === 'True' ? 'Accepted' : `not Accepted${accepted?.reason ? ` (${accepted.reason})` : ''} — is its controller running?`);
      }
    }
  }

  if (needs.certManagerWebhook) {
    const deps = items(listKey('Deployment', CERT_MANAGER.namespace));
    if (deps) {
      const d = named(deps, CERT_MANAGER.webhook);
      const available = cond(d, 'Available');
      const ready = Number(d?.status?.availableReplicas ?? 0);
      const ok = available?.status === 'True' && ready > 0;
      add('cert-manager', `${CERT_MANAGER.namespace}/${CERT_MANAGER.webhook}`, ok, !d ? `no Deployment ${CERT_MANAGER.namespace}/${CERT_MANAGER.webhook} — install cert-manager (KServe's controller webhook needs its certificates)` : ok ? `serving (${ready} available)` : 'not Available — the cert-manager webhook is not serving yet');
    }
  }

  for (const s of needs.secrets) {
    const got = items(listKey('Secret', s.namespace));
    if (!got) continue;
    const ok = !!named(got, s.name);
    add('secret', `${s.namespace}/${s.name}`, ok, ok ? 'exists (metadata only was read)' : `missing — create it (kubectl -n ${s.namespace} create secret generic ${s.name} --from-literal=HF_TOKEN=…); needed by ${s.why}`);
  }

  if (needs.storageClasses.length) {
    const got = items(listKey('StorageClass', undefined));
    if (got) {
      for (const sc of needs.storageClasses) {
        if (sc.name) {
          const ok = !!named(got, sc.name);
          add('storage-class', sc.name, ok, ok ? 'exists' : `no StorageClass ${sc.name} — needed by ${sc.why}`);
        } else {
          const def = (got as Obj[]).find((o) => o?.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true');
          add('storage-class', '(default)', !!def, def ? `default is ${def.metadata?.name}` : `no default StorageClass — set download.storageClass (${sc.why})`);
        }
      }
    }
  }

  if (needs.gpus.length) {
    const got = items(listKey('Node', undefined));
    if (got) {
      const nodes = got.map(nodeInfo);
      for (const g of needs.gpus) {
        const fit = gpuFit(g, nodes);
        add('gpu', `${g.env}: ${g.resource}`, fit.ok, fit.message);
      }
    }
  }
  return { results, problems };
}
