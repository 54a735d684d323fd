/**
 * Which Argo CD units compare with server-side diff. The API server defaults fields inside list
 * items of the upstream content we reference unchanged (`kserve-config-llm-router-route`:
 * `backendRefs[].group: ""`, `matches[].path`; `kserve-config-llm-scheduler-latency-predictor`:
 * `ports[].protocol: TCP`), and Argo CD's client-side diff compares a custom resource's lists
 * whole, so those units would sit OutOfSync and self-heal forever. `ServerSideDiff=true` (GA in
 * Argo CD 3.x, so in v3.5) diffs against a server-side-apply dry run, which includes exactly the
 * defaults the API server adds: nothing to list and keep in step with upstream per version.
 * `ignoreDifferences` would have to name each defaulted path (jq over list items), would also
 * hide real changes to those fields, and needs `RespectIgnoreDifferences` to stop self-heal from
 * re-applying them. Cost: Argo CD's dry run goes through admission webhooks, so while KServe's
 * webhook is not up the comparison fails and is retried (the platform syncs the controller first).
 *
 * The platform unit carries the well-known configs; the models unit carries upstream content
 * only as the shadow configs an environment's `images:` makes. Our own objects are rendered in
 * their defaulted form (validate reports any list-item default they would still pick up, in the
 * units that diff client-side: delivered-by.ts reads which unit delivers a file from the tree).
 * Shard units carry only our own models; the prerequisite units carry our Gateway/GatewayClass
 * and upstream CRDs and built-in kinds, but no custom resource the API server defaults inside a
 * list item (test/admission-drift.test.ts builds them and checks), so they diff client-side.
 */
import type { Environment } from '../../model/types.js';

export const SERVER_SIDE_DIFF = { 'argocd.argoproj.io/compare-options': 'ServerSideDiff=true' } as const;

export function serverSideDiff(env: Environment, unit: 'platform' | 'models'): boolean {
  if (env.delivery.engine !== 'argocd') return false;
  return unit === 'platform' ? env.platform.mode !== 'none' : Object.keys(env.images).length > 0;
}
