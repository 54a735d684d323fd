/**
 * Argo CD health checks the delivery relies on, as a patch for `argocd-cm`.
 *
 * - LLMInferenceService: Argo CD up to v3.5.1 ships no check, so the resource has no health and
 *   is skipped in the Application's roll-up — the app shows Healthy while its model is broken.
 * - Application: Argo CD ≥ 1.8 removed the built-in check, so a parent (app-of-apps) would not
 *   wait in its sync waves for the platform Application before it creates the models one.
 *
 * The Lua is kept here as text (tsc ships no other files) and must run in Argo CD's gopher-lua
 * (Lua 5.1) as well as in the Lua 5.3 the tests use: no integer division, no goto, ipairs only.
 * Argo CD runs argocd-cm checks with only the base, table, package and a safe os library open
 * (util/lua/lua.go, unless `resource.customizations.useOpenLibs.*` is set): no `string.*`, no `math.*`.
 */
import { STARTING_REASONS } from '../model/kserve.js';
import type { Environment, JsonObject } from '../model/types.js';
import { kustomization } from './kustomization.js';

export const LLMISVC_HEALTH_KEY = 'resource.customizations.health.serving.kserve.io_LLMInferenceService';
export const APPLICATION_HEALTH_KEY = 'resource.customizations.health.argoproj.io_Application';

/**
 * Status mapping (KServe v0.20 conditions): deletion → Progressing; stop annotation or a condition
 * with reason Stopped → Suspended; no status, or generation not yet observed → Progressing;
 * PresetsCombined=False → Degraded (KServe leaves Ready Unknown then, so Ready alone would say
 * Progressing forever); Ready=True for the current generation → Healthy; Ready=False → Degraded
 * naming the first failing sub-condition — except while a Deployment is still rolling out: KServe
 * copies its Available=False reason (MinimumReplicasUnavailable, or Progressing before the
 * Deployment has conditions) into Ready=False on every start, and `argocd app wait --health`
 * gives up at the first Degraded; anything else → Progressing.
 */
export const LLMISVC_HEALTH_LUA = `-- LLMInferenceService health (llm-gitops): Ready counts only for the current generation.
local hs = { status = "Progressing", message = "Waiting for the LLMInferenceService controller" }

-- Sub-conditions first: Ready copies the reason of the first failing one, they say which part failed.
local ORDER = { "MainWorkloadReady", "WorkerWorkloadReady", "PrefillWorkloadReady",
  "PrefillWorkerWorkloadReady", "ScalingReady", "PrefillScalingReady", "GatewaysReady",
  "HTTPRoutesReady", "InferencePoolReady", "SchedulerWorkloadReady", "WorkloadsReady",
  "RouterReady", "Ready" }
-- Reasons KServe reports while things are merely starting, not failing.
local STARTING = { ${STARTING_REASONS.map((r) => `${r} = true`).join(', ')} }

local function find(conditions, name)
  for _, c in ipairs(conditions) do
    if c.type == name then return c end
  end
  return nil
end

local function describe(c)
  local text = c.type .. " is " .. tostring(c.status)
  if c.reason ~= nil and c.reason ~= "" then text = text .. " (" .. c.reason .. ")" end
  if c.message ~= nil and c.message ~= "" then text = text .. ": " .. c.message end
  return text
end

local function done(status, message)
  hs.status = status
  hs.message = message
  return hs
end

local meta = obj.metadata or {}
if meta.deletionTimestamp ~= nil then return done("Progressing", "Pending deletion") end
if meta.annotations ~= nil and meta.annotations["serving.kserve.io/stop"] == "true" then
  return done("Suspended", "Stopped by the serving.kserve.io/stop annotation")
end
if obj.status == nil or obj.status.conditions == nil or next(obj.status.conditions) == nil then
  return hs
end
local conditions = obj.status.conditions
local generation = meta.generation
if generation ~= nil and obj.status.observedGeneration ~= generation then
  return done("Progressing", "Waiting for the controller to observe generation " .. tostring(generation))
end
for _, c in ipairs(conditions) do
  if c.reason == "Stopped" then return done("Suspended", describe(c)) end
end
local presets = find(conditions, "PresetsCombined")
if presets ~= nil and presets.status == "False" then return done("Degraded", describe(presets)) end
local ready = find(conditions, "Ready")
if ready == nil then return done("Progressing", "Waiting for the Ready condition") end
if ready.observedGeneration ~= nil and generation ~= nil and ready.observedGeneration ~= generation then
  return done("Progressing", "Waiting for Ready of generation " .. tostring(generation))
end
if ready.status == "True" then
  if obj.status.url ~= nil and obj.status.url ~= "" then return done("Healthy", "Ready at " .. obj.status.url) end
  return done("Healthy", "Ready")
end
if ready.status == "False" then
  local failing = ready
  for _, name in ipairs(ORDER) do
    local c = find(conditions, name)
    if c ~= nil and c.status == "False" then
      failing = c
      break
    end
  end
  if failing.reason ~= nil and STARTING[failing.reason] then return done("Progressing", describe(failing)) end
  return done("Degraded", describe(failing))
end
return done("Progressing", describe(ready))
`;

/** A child Application as its parent sees it: its own health, Progressing while a sync runs. */
export const APPLICATION_HEALTH_LUA = `-- Application health for app-of-apps sync waves (llm-gitops).
local hs = { status = "Progressing", message = "Waiting for the Application to be reconciled" }
if obj.status == nil then return hs end
local operation = obj.status.operationState
if operation ~= nil and (operation.phase == "Running" or operation.phase == "Terminating") then
  hs.message = "Sync operation " .. operation.phase
  return hs
end
if obj.status.health ~= nil and obj.status.health.status ~= nil then
  hs.status = obj.status.health.status
  hs.message = obj.status.health.message or ("Application is " .. obj.status.health.status)
end
return hs
`;

/**
 * The `argocd-cm` patch: a ConfigMap holding only the two keys, for
 * `kubectl -n <ns> patch configmap argocd-cm --type merge --patch-file …`. Not applied by the
 * root Application: argocd-cm belongs to whoever installs Argo CD, and a second owner would
 * fight over (or prune) it.
 */
export function argocdCmPatch(env: Environment): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'argocd-cm', namespace: env.delivery.namespace },
    data: { [LLMISVC_HEALTH_KEY]: LLMISVC_HEALTH_LUA, [APPLICATION_HEALTH_KEY]: APPLICATION_HEALTH_LUA },
  };
}

/**
 * The same patch as a kustomize Component, for an Argo CD installed with kustomize
 * (`components: [<path>/argocd-health]`): kustomize refuses patch files outside a kustomization's
 * folder, but loads components from anywhere. Targeted by kind and name, so it matches before the
 * install's own `namespace:` is applied.
 */
export function argocdHealthComponent(): JsonObject {
  return kustomization({ kind: 'Component', patches: [{ path: 'argocd-cm.patch.yaml', target: { kind: 'ConfigMap', name: 'argocd-cm' } }] });
}
