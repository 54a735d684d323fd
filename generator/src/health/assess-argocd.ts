/**
 * One Argo CD Application → a verdict (health.md §1, §6): error conditions, sync status, the
 * last operation, app health, and the revision it compared against. An Application has no
 * observedGeneration; `status.sync.revision` is the commit of the last comparison, so it moves to
 * a new push even when the push changes nothing for this app — the right freshness signal.
 */
import { meta, path, record, str } from './object.js';
import { ARGO_WINDOW_MS, behind, sameCommit, short, type Expectation } from './revision.js';
import { FAILED, type Assessment } from './status.js';

export interface ArgoContext {
  readonly now: number;
  readonly expect?: Expectation;
}

function revisionOf(app: unknown): string | undefined {
  const one = str(path(app, 'status', 'sync', 'revision'));
  if (one) return one;
  const many = path(app, 'status', 'sync', 'revisions');
  return Array.isArray(many) ? many.filter((r) => typeof r === 'string').join(',') || undefined : undefined;
}

/** Did the last comparison use commit `sha` (any source of a multi-source app)? */
export function atRevision(app: unknown, sha: string): boolean {
  const many = path(app, 'status', 'sync', 'revisions');
  const all = Array.isArray(many) ? many.filter((r): r is string => typeof r === 'string') : [];
  return [str(path(app, 'status', 'sync', 'revision')), ...all].some((r) => sameCommit(r, sha));
}

/** Automated sync on (Argo CD 3.x also has `automated.enabled: false`). */
function automated(app: unknown): boolean {
  const a = record(path(app, 'spec', 'syncPolicy', 'automated'));
  return !!a && a.enabled !== false;
}

function syncAndHealth(app: unknown, ref: string): Assessment {
  const status = record(path(app, 'status'));
  if (!status) return { status: 'Progressing', reason: 'NotReconciled', message: 'Argo CD has not reconciled it yet — is the application controller running?' };

  const conds = path(app, 'status', 'conditions');
  const errors = (Array.isArray(conds) ? conds : []).filter((c) => String(record(c)?.type ?? '').endsWith('Error'));
  if (errors.length) {
    const c = record(errors[0])!;
    return { status: 'Degraded', reason: String(c.type), message: `${String(c.type)}: ${str(c.message) ?? 'no message'}` };
  }
  const sync = str(path(app, 'status', 'sync', 'status'));
  if (sync === 'Unknown') return { status: 'Degraded', reason: 'SyncUnknown', message: 'Argo CD could not compare git with the cluster (sync status Unknown) — see `argocd app get`' };

  const phase = str(path(app, 'status', 'operationState', 'phase'));
  const opMessage = str(path(app, 'status', 'operationState', 'message'));
  if (phase === 'Failed' || phase === 'Error') {
    return { status: 'Degraded', reason: 'SyncFailed', message: `the last sync ${phase === 'Error' ? 'errored' : 'failed'}: ${opMessage ?? 'no message'} — fix it, then \`argocd app sync ${ref}\`` };
  }
  const running = record(path(app, 'operation')) !== undefined || phase === 'Running' || phase === 'Terminating' ||
    (record(path(app, 'status', 'operationState')) !== undefined && !str(path(app, 'status', 'operationState', 'finishedAt')));
  if (running) return { status: 'Progressing', reason: 'Syncing', message: `sync operation ${phase ?? 'requested'}${opMessage ? `: ${opMessage}` : ''}` };

  if (sync === 'OutOfSync') {
    return automated(app)
      ? { status: 'Progressing', reason: 'OutOfSync', message: 'OutOfSync; waiting for the automated sync' }
      : { status: 'Degraded', reason: 'OutOfSync', message: `OutOfSync and automated sync is off — run \`argocd app sync ${ref}\`` };
  }
  const health = str(path(app, 'status', 'health', 'status'));
  const healthMessage = str(path(app, 'status', 'health', 'message'));
  const synced = `Synced to ${short(revisionOf(app))}`;
  switch (health) {
    case 'Healthy':
      return { status: 'Healthy', reason: 'Synced', message: `${synced}, Healthy` };
    case 'Suspended':
      return { status: 'Suspended', reason: 'Suspended', message: `${synced}; a managed resource is suspended` };
    case 'Degraded':
      return { status: 'Degraded', reason: 'HealthDegraded', message: `${synced} but Degraded${healthMessage ? `: ${healthMessage}` : ''} — \`argocd app get ${ref}\` shows which resource` };
    case 'Missing':
      return { status: 'Missing', reason: 'ResourcesMissing', message: `${synced} but its resources are missing in the cluster` };
    case 'Unknown':
      return { status: 'Degraded', reason: 'HealthUnknown', message: `${synced}; Argo CD could not assess health (a health check failed)` };
    default:
      return { status: 'Progressing', reason: health === 'Progressing' ? 'HealthProgressing' : 'NoHealth', message: `${synced}; health ${health ?? 'not reported yet'}` };
  }
}

export function assessApplication(app: unknown, ctx: ArgoContext): Assessment {
  if (app === undefined) {
    return { status: 'Missing', reason: 'NotFound', message: 'no such Argo CD Application — apply the environment\'s delivery manifests' };
  }
  const m = meta(app);
  const ref = `${m.namespace ?? ''}/${m.name}`.replace(/^\//, '');
  const revision = revisionOf(app);
  const facts = revision ? { revision } : {};
  if (m.deletionTimestamp) return { ...facts, status: 'Progressing', reason: 'Deleting', message: `being deleted since ${m.deletionTimestamp}` };

  const verdict = { ...facts, ...syncAndHealth(app, ref) };
  if (!ctx.expect || FAILED.has(verdict.status) || atRevision(app, ctx.expect.sha)) return verdict;
  const reconciled = str(path(app, 'status', 'reconciledAt'));
  return behind(
    ctx.expect,
    ctx.expect.windowMs ?? ARGO_WINDOW_MS,
    ctx.now,
    'RevisionBehind',
    `at ${short(revision)}, expected ${short(ctx.expect.sha)}${reconciled ? ` (last reconciled ${reconciled})` : ''} — check the repository webhook or \`argocd app get ${ref} --refresh\``,
    facts,
  );
}
