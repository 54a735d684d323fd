/**
 * The Argo CD health checks exactly as `generate` ships them (read back from the generated
 * argocd-cm patch), run in a real Lua interpreter (fengari, Lua 5.3) against LLMInferenceService
 * and Application objects for every status case of health.md §3 / kserve-llmisvc.md §2.
 * Only the libraries Argo CD opens for argocd-cm checks are loaded (base, table, package — no
 * string, no math), so a script that would fail in Argo CD fails here. Integral numbers are pushed
 * as Lua integers: gopher-lua holds them as floats but prints them without ".0", as 5.3 prints
 * integers. Fixtures are hand-written.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fengari from 'fengari';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, exampleCatalogs, repoWith } from './helpers/repo.js';

const { lua, lauxlib, lualib, to_luastring } = fengari;
type Obj = Record<string, unknown>;

function push(L: unknown, v: unknown): void {
  if (v === null || v === undefined) lua.lua_pushnil(L);
  else if (typeof v === 'boolean') lua.lua_pushboolean(L, v);
  else if (typeof v === 'number') (Number.isInteger(v) ? lua.lua_pushinteger(L, v) : lua.lua_pushnumber(L, v));
  else if (typeof v === 'string') lua.lua_pushstring(L, to_luastring(v));
  else if (Array.isArray(v)) {
    lua.lua_createtable(L, v.length, 0);
    v.forEach((x, i) => {
      push(L, x);
      lua.lua_rawseti(L, -2, i + 1);
    });
  } else {
    lua.lua_newtable(L);
    for (const [k, x] of Object.entries(v as Obj)) {
      push(L, x);
      lua.lua_setfield(L, -2, to_luastring(k));
    }
  }
}

/** Runs a health script with `obj` as Argo CD does; returns {status, message}. */
function runHealth(script: string, obj: Obj): { status: string; message: string } {
  const L = lauxlib.luaL_newstate();
  for (const [name, open] of [['_G', lualib.luaopen_base], ['package', lualib.luaopen_package], ['table', lualib.luaopen_table]] as const) {
    lauxlib.luaL_requiref(L, to_luastring(name), open, 1);
    lua.lua_pop(L, 1);
  }
  push(L, obj);
  lua.lua_setglobal(L, to_luastring('obj'));
  if (lauxlib.luaL_loadstring(L, to_luastring(script)) !== lua.LUA_OK || lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) {
    throw new Error(`lua: ${lua.lua_tojsstring(L, -1)}`);
  }
  const field = (k: string) => {
    lua.lua_getfield(L, -1, to_luastring(k));
    const s = lua.lua_isstring(L, -1) ? lua.lua_tojsstring(L, -1) : '';
    lua.lua_pop(L, 1);
    return s;
  };
  return { status: field('status'), message: field('message') };
}

const cond = (type: string, status: string, reason?: string, message?: string) => ({
  type,
  status,
  lastTransitionTime: '2026-01-01T00:00:00Z',
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
});

function llmisvc(opts: { generation?: number; observed?: number; conditions?: Obj[]; annotations?: Record<string, string>; deleting?: boolean; url?: string; noStatus?: boolean } = {}): Obj {
  const generation = opts.generation ?? 2;
  return {
    apiVersion: 'serving.kserve.io/v1alpha2',
    kind: 'LLMInferenceService',
    metadata: {
      name: 'qwen',
      namespace: 'llm-prod',
      generation,
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
      ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:10:00Z', finalizers: ['serving.kserve.io/llmisvc-finalizer'] } : {}),
    },
    spec: { model: { uri: 'hf://Qwen/Qwen2.5-7B-Instruct', name: 'Qwen/Qwen2.5-7B-Instruct' }, replicas: 1 },
    ...(opts.noStatus
      ? {}
      : { status: { observedGeneration: opts.observed ?? generation, conditions: opts.conditions ?? [], ...(opts.url ? { url: opts.url } : {}) } }),
  };
}

const readyAll = [
  cond('HTTPRoutesReady', 'True'),
  cond('MainWorkloadReady', 'True'),
  cond('PresetsCombined', 'True'),
  cond('Ready', 'True'),
  cond('RouterReady', 'True'),
  cond('WorkloadsReady', 'True'),
];

let repo: { dir: string; cleanup: () => void };
let scripts: Record<string, string>;
let llm: (o: Obj) => { status: string; message: string };
let app: (o: Obj) => { status: string; message: string };

beforeAll(async () => {
  repo = repoWith(exampleCatalogs(false));
  const r = await cli(['generate'], repo.dir);
  expect(r.code, r.stderr).toBe(0);
  const patches = ['dev', 'prod'].map((env) => parse(readFileSync(join(repo.dir, 'environments', env, 'delivery', 'argocd-health', 'argocd-cm.patch.yaml'), 'utf8')) as { data: Record<string, string> });
  expect(patches[0]!.data).toEqual(patches[1]!.data);
  scripts = patches[0]!.data;
  llm = (o) => runHealth(scripts['resource.customizations.health.serving.kserve.io_LLMInferenceService']!, o);
  app = (o) => runHealth(scripts['resource.customizations.health.argoproj.io_Application']!, o);
});
afterAll(() => repo?.cleanup());

describe('LLMInferenceService health check', () => {
  it('is Progressing without a status or without conditions', () => {
    expect(llm(llmisvc({ noStatus: true }))).toEqual({ status: 'Progressing', message: 'Waiting for the LLMInferenceService controller' });
    expect(llm(llmisvc({ conditions: [] })).status).toBe('Progressing');
  });

  it('is Progressing while the controller has not observed the generation, even if Ready is True', () => {
    expect(llm(llmisvc({ generation: 3, observed: 2, conditions: readyAll }))).toEqual({
      status: 'Progressing',
      message: 'Waiting for the controller to observe generation 3',
    });
  });

  it('is Suspended for the stop annotation (before the controller reacts) and for reason Stopped', () => {
    expect(llm(llmisvc({ annotations: { 'serving.kserve.io/stop': 'true' }, noStatus: true }))).toEqual({
      status: 'Suspended',
      message: 'Stopped by the serving.kserve.io/stop annotation',
    });
    const stopped = [cond('MainWorkloadReady', 'False', 'Stopped', 'Service is stopped'), cond('Ready', 'False', 'Stopped', 'Service is stopped')];
    expect(llm(llmisvc({ conditions: stopped }))).toEqual({ status: 'Suspended', message: 'MainWorkloadReady is False (Stopped): Service is stopped' });
    expect(llm(llmisvc({ annotations: { 'serving.kserve.io/stop': 'false' }, conditions: readyAll })).status).toBe('Healthy');
  });

  it('is Degraded when PresetsCombined is False although Ready is only Unknown', () => {
    const conditions = [
      cond('PresetsCombined', 'False', 'ConfigNotFound', 'LLMInferenceServiceConfig vllm-prod-tuning not found'),
      cond('Ready', 'Unknown', 'NewObservedGenFailure', 'unsuccessfully observed a new generation'),
    ];
    expect(llm(llmisvc({ conditions }))).toEqual({
      status: 'Degraded',
      message: 'PresetsCombined is False (ConfigNotFound): LLMInferenceServiceConfig vllm-prod-tuning not found',
    });
  });

  it('is Healthy when Ready is True for the current generation, with the URL', () => {
    expect(llm(llmisvc({ conditions: readyAll, url: 'http://gw.example/llm-prod/qwen' }))).toEqual({ status: 'Healthy', message: 'Ready at http://gw.example/llm-prod/qwen' });
    expect(llm(llmisvc({ conditions: readyAll }))).toEqual({ status: 'Healthy', message: 'Ready' });
  });

  it('is Degraded when Ready is False, naming the first failing sub-condition', () => {
    const conditions = [
      cond('HTTPRoutesReady', 'False', 'RefsInvalid', 'gateway kserve/missing not found'),
      cond('MainWorkloadReady', 'False', 'ReconcileSingleNodeWorkloadError', 'failed to create deployment'),
      cond('PresetsCombined', 'True'),
      cond('Ready', 'False', 'ReconcileSingleNodeWorkloadError', 'failed to create deployment'),
      cond('RouterReady', 'False', 'RefsInvalid', 'gateway kserve/missing not found'),
      cond('WorkloadsReady', 'False', 'ReconcileSingleNodeWorkloadError', 'failed to create deployment'),
    ];
    expect(llm(llmisvc({ conditions }))).toEqual({ status: 'Degraded', message: 'MainWorkloadReady is False (ReconcileSingleNodeWorkloadError): failed to create deployment' });
    // Only the roll-up is False: it is named.
    const rollUp = [cond('Ready', 'False', 'HTTPRouteReconcileError', 'no route'), cond('RouterReady', 'False', 'HTTPRouteReconcileError', 'no route')];
    expect(llm(llmisvc({ conditions: rollUp }))).toEqual({ status: 'Degraded', message: 'RouterReady is False (HTTPRouteReconcileError): no route' });
  });

  it('is Progressing when Ready is False only because a Deployment is still rolling out', () => {
    const starting = [
      cond('MainWorkloadReady', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
      cond('PresetsCombined', 'True'),
      cond('Ready', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
      cond('WorkloadsReady', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
    ];
    expect(llm(llmisvc({ conditions: starting }))).toEqual({
      status: 'Progressing',
      message: 'MainWorkloadReady is False (MinimumReplicasUnavailable): Deployment does not have minimum availability.',
    });
  });

  it('is Progressing when Ready is Unknown, with its reason', () => {
    const conditions = [cond('PresetsCombined', 'True'), cond('Ready', 'Unknown', 'NewObservedGenFailure', 'unsuccessfully observed a new generation')];
    expect(llm(llmisvc({ conditions }))).toEqual({ status: 'Progressing', message: 'Ready is Unknown (NewObservedGenFailure): unsuccessfully observed a new generation' });
    expect(llm(llmisvc({ conditions: [cond('PresetsCombined', 'True')] }))).toEqual({ status: 'Progressing', message: 'Waiting for the Ready condition' });
  });

  it('is Progressing while being deleted, whatever the conditions say', () => {
    expect(llm(llmisvc({ deleting: true, conditions: readyAll }))).toEqual({ status: 'Progressing', message: 'Pending deletion' });
  });

  it('distrusts a Ready condition that carries an older observedGeneration', () => {
    const conditions = [{ ...cond('Ready', 'True'), observedGeneration: 1 }];
    expect(llm(llmisvc({ conditions }))).toEqual({ status: 'Progressing', message: 'Waiting for Ready of generation 2' });
  });
});

describe('Application health check (app-of-apps waves)', () => {
  const application = (status?: Obj): Obj => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'llm-prod-platform' }, ...(status ? { status } : {}) });

  it('is Progressing until the child has been reconciled or while it syncs', () => {
    expect(app(application())).toEqual({ status: 'Progressing', message: 'Waiting for the Application to be reconciled' });
    expect(app(application({ health: { status: 'Healthy' }, operationState: { phase: 'Running' } }))).toEqual({ status: 'Progressing', message: 'Sync operation Running' });
  });

  it('passes the child health through', () => {
    for (const s of ['Healthy', 'Degraded', 'Suspended', 'Missing', 'Progressing']) {
      expect(app(application({ health: { status: s }, operationState: { phase: 'Succeeded' } }))).toEqual({ status: s, message: `Application is ${s}` });
    }
    expect(app(application({ health: { status: 'Degraded', message: 'deployment failed' } }))).toEqual({ status: 'Degraded', message: 'deployment failed' });
  });
});
