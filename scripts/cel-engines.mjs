#!/usr/bin/env node
/**
 * Which CEL engine compiles more of the real CRD rules? Every `x-kubernetes-validations` rule of
 * every CRD under ../shared/upstream (or the folder given), compiled by @bufbuild/cel (parse +
 * plan, the way admission/cel/compile.ts does it, with the Kubernetes library) and by
 * @marcbachmann/cel-js (parse + type check with `self: dyn`). Transition rules (oldSelf) are
 * counted apart. Run: node scripts/cel-engines.mjs [dir]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Environment } from '@marcbachmann/cel-js';
import { compileExpression } from '../dist/admission/cel/compile.js';

const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..', '..', 'shared', 'upstream'));
const files = (dir) => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : /\.ya?ml$/.test(n) ? [join(dir, n)] : []));
const rules = [];
for (const f of files(root)) {
  const text = readFileSync(f, 'utf8');
  if (!/kind:\s*CustomResourceDefinition/.test(text)) continue;
  for (const d of parseAllDocuments(text, { version: '1.1' })) {
    const crd = d.toJS();
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    const walk = (v) => {
      if (Array.isArray(v)) return v.forEach(walk);
      if (!v || typeof v !== 'object') return;
      for (const [k, x] of Object.entries(v)) {
        if (k === 'x-kubernetes-validations' && Array.isArray(x)) for (const r of x) rules.push({ crd: crd.metadata.name, ...r });
        else walk(x);
      }
    };
    for (const ver of crd.spec?.versions ?? []) walk(ver.schema);
  }
}
const celJs = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false }).registerVariable('self', 'dyn').registerVariable('oldSelf', 'dyn').registerFunction('isIP(string): bool', () => true);
const count = { rules: rules.length, transition: 0, bufbuild: 0, celJs: 0 };
const celJsFailures = new Map();
for (const r of rules) {
  if (/\boldSelf\b/.test(r.rule)) count.transition++;
  if (compileExpression(r.rule).program) count.bufbuild++;
  try {
    const c = celJs.check(r.rule);
    if (c.valid === false) throw c.error;
    count.celJs++;
  } catch (e) {
    const why = String(e.message).split('\n')[0];
    celJsFailures.set(why, (celJsFailures.get(why) ?? 0) + 1);
  }
}
console.log(`${count.rules} rules in ${root} (${count.transition} transition rules)`);
console.log(`@bufbuild/cel:       ${count.bufbuild} compiled`);
console.log(`@marcbachmann/cel-js: ${count.celJs} compiled; refused: ${[...celJsFailures].map(([w, n]) => `${n}× ${w}`).join(', ') || 'none'}`);
