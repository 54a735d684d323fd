/**
 * A shortcut for the commonest CEL rules of the CRDs: presence logic only — `has(self.a)`
 * combined with `!`, `&&`, `||` and parentheses (`!(has(self.replicas) && has(self.scaling))`,
 * `has(self.hpa) || has(self.keda)`) — as a plain function of the JSON object, without
 * converting it to a CEL value or running the CEL interpreter (most of a valid object's rule
 * runs are such rules). On an object, `has(self.a)` for a plain field name is whether the object
 * has that key with a value other than null (evaluate.ts's CelObject: a name without `__` is its
 * own CEL name; CEL's has() takes a null field for absent), so with no
 * error or non-bool possible the operators are JavaScript's. Anything else gets no shortcut.
 * The shortcut is only trusted for `true`: a rule it finds broken runs in CEL, which reports it.
 * Pure.
 */

type O = Record<string, unknown>;
/** `self` → whether the rule holds. */
export type PresenceRule = (self: O) => boolean;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);
const TOKEN = /\s*(has\(\s*self\s*\.\s*([A-Za-z0-9_]+)\s*\)|&&|\|\||!|\(|\))/y;
const own = Object.prototype.hasOwnProperty;

/** The rule as a function when it is presence logic only over plain field names, else undefined. */
export function presenceRule(rule: string): PresenceRule | undefined {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  for (let m = TOKEN.exec(rule); m; m = TOKEN.exec(rule)) {
    const field = m[2];
    if (field !== undefined && (!IDENT.test(field) || field.includes('__') || RESERVED.has(field))) return undefined;
    tokens.push(field !== undefined ? `.${field}` : m[1]!);
    at = TOKEN.lastIndex;
  }
  if (rule.slice(at).trim() !== '' || !tokens.length) return undefined;
  let i = 0;
  // CEL's precedence: || below &&, below unary !. A chain of `op` over operands parsed by `operand`.
  const chain = (op: '||' | '&&', operand: () => PresenceRule | undefined) => (): PresenceRule | undefined => {
    let left = operand();
    while (left && tokens[i] === op) {
      i++;
      const l = left;
      const r = operand();
      left = r && (op === '||' ? (o) => l(o) || r(o) : (o) => l(o) && r(o));
    }
    return left;
  };
  const and = chain('&&', () => unary());
  const or = chain('||', and);
  const unary = (): PresenceRule | undefined => {
    const t = tokens[i++];
    if (t === '!') {
      const inner = unary();
      return inner && ((o) => !inner(o));
    }
    if (t === '(') {
      const inner = or();
      return tokens[i++] === ')' ? inner : undefined;
    }
    if (t?.startsWith('.')) {
      const field = t.slice(1);
      return (o) => own.call(o, field) && o[field] !== null && o[field] !== undefined;
    }
    return undefined;
  };
  const fn = or();
  return fn && i === tokens.length ? fn : undefined;
}
