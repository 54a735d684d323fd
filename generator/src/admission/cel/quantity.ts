/**
 * Kubernetes resource quantities (`500m`, `1.5Gi`, `2e3`) as exact rationals, for the CEL
 * quantity library. Our own implementation of the format `resource.Quantity` documents:
 * a signed decimal number, then a binary suffix (Ki…Ei), a decimal suffix (n u m "" k M G T P E)
 * or an exponent (e/E and an integer). Pure.
 */

/** value = num / den, den > 0, reduced. */
export interface Quantity {
  readonly num: bigint;
  readonly den: bigint;
}

const FORMAT = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;
const BINARY: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

const abs = (n: bigint) => (n < 0n ? -n : n);
function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b) [a, b] = [b, a % b];
  return a || 1n;
}
function make(num: bigint, den: bigint): Quantity {
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

/** Parses a quantity; undefined when `text` is not one. */
export function parseQuantity(text: string): Quantity | undefined {
  const m = FORMAT.exec(text);
  if (!m) return undefined;
  const [, sign, digits, suffix = ''] = m as unknown as [string, string, string, string | undefined];
  const [whole = '', frac = ''] = digits.split('.');
  let num = BigInt(`${whole || '0'}${frac}`) * (sign === '-' ? -1n : 1n);
  let den = 10n ** BigInt(frac.length);
  let exp10 = 0;
  if (suffix in BINARY) num *= 1024n ** BigInt(BINARY[suffix]!);
  else if (suffix in DECIMAL) exp10 = DECIMAL[suffix]!;
  else if (suffix) exp10 = Number(suffix.slice(1));
  if (Math.abs(exp10) > 1000) return undefined;
  if (exp10 > 0) num *= 10n ** BigInt(exp10);
  else if (exp10 < 0) den *= 10n ** BigInt(-exp10);
  return make(num, den);
}

export function compareQuantity(a: Quantity, b: Quantity): number {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

export function addQuantity(a: Quantity, b: Quantity): Quantity {
  return make(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function negate(a: Quantity): Quantity {
  return { num: -a.num, den: a.den };
}

/** A canonical text of the value (equal quantities, equal text): the identity CEL compares. */
export function quantityKey(q: Quantity): string {
  return q.den === 1n ? String(q.num) : `${q.num}/${q.den}`;
}

export function quantityToFloat(q: Quantity): number {
  return Number(q.num) / Number(q.den);
}
