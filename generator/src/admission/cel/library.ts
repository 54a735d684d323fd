/**
 * The Kubernetes CEL libraries CRD rules may use, on top of CEL's standard definitions and
 * cel-es' string extensions (split, substring, lowerAscii, join, replace, indexOf…): our own
 * implementations of the functions the API server adds — quantity, lists, regex, url, ip — as
 * documented for Kubernetes CEL (kubernetes.io, "CEL in Kubernetes"). Opaque Kubernetes values
 * (a Quantity, a URL, an IP) are CEL maps with one marker key, so equality compares their value.
 */
import { isIP as netIsIP } from 'node:net';
import { celFunc, celMethod, CelScalar, celList, celError, isCelMap, listType, mapType, type CelFunc, type CelList, type CelMap, type CelValue } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { addQuantity, compareQuantity, negate, parseQuantity, quantityKey, quantityToFloat, type Quantity } from './quantity.js';

const { STRING, INT, BOOL, DOUBLE, DYN } = CelScalar;
const OPAQUE = mapType(STRING, DYN);
const LIST = listType(DYN);
const Q_KEY = '__k8s_quantity__';
const URL_KEY = '__k8s_url__';
const IP_KEY = '__k8s_ip__';

// Parsed values behind the marker keys (the key's text is canonical, so it indexes them).
const quantities = new Map<string, Quantity>();

function quantityValue(q: Quantity): Map<string, string> {
  const key = quantityKey(q);
  if (!quantities.has(key)) quantities.set(key, q);
  return new Map([[Q_KEY, key]]);
}
function asQuantity(v: CelMap): Quantity {
  const key = v.get(Q_KEY);
  const q = typeof key === 'string' ? quantities.get(key) : undefined;
  if (!q) throw new Error('not a quantity');
  return q;
}
function fail(message: string): never {
  throw new Error(message);
}

const quantityLib: CelFunc[] = [
  celFunc('quantity', [STRING], OPAQUE, (s) => quantityValue(parseQuantity(s) ?? fail(`quantity: cannot parse "${s}"`))),
  celFunc('isQuantity', [STRING], BOOL, (s) => parseQuantity(s) !== undefined),
  celMethod('sign', OPAQUE, [], INT, function () { return BigInt(Math.sign(Number(asQuantity(this).num))); }),
  celMethod('isInteger', OPAQUE, [], BOOL, function () { return asQuantity(this).den === 1n; }),
  celMethod('asInteger', OPAQUE, [], INT, function () {
    const q = asQuantity(this);
    if (q.den !== 1n || q.num > 2n ** 63n - 1n || q.num < -(2n ** 63n)) fail('asInteger: the quantity is not an integer that fits in int64');
    return q.num;
  }),
  celMethod('asApproximateFloat', OPAQUE, [], DOUBLE, function () { return quantityToFloat(asQuantity(this)); }),
  celMethod('compareTo', OPAQUE, [OPAQUE], INT, function (o) { return BigInt(compareQuantity(asQuantity(this), asQuantity(o))); }),
  celMethod('isGreaterThan', OPAQUE, [OPAQUE], BOOL, function (o) { return compareQuantity(asQuantity(this), asQuantity(o)) > 0; }),
  celMethod('isLessThan', OPAQUE, [OPAQUE], BOOL, function (o) { return compareQuantity(asQuantity(this), asQuantity(o)) < 0; }),
  celMethod('add', OPAQUE, [OPAQUE], OPAQUE, function (o) { return quantityValue(addQuantity(asQuantity(this), asQuantity(o))); }),
  celMethod('add', OPAQUE, [INT], OPAQUE, function (n) { return quantityValue(addQuantity(asQuantity(this), { num: n, den: 1n })); }),
  celMethod('sub', OPAQUE, [OPAQUE], OPAQUE, function (o) { return quantityValue(addQuantity(asQuantity(this), negate(asQuantity(o)))); }),
  celMethod('sub', OPAQUE, [INT], OPAQUE, function (n) { return quantityValue(addQuantity(asQuantity(this), { num: -n, den: 1n })); }),
];

/** CEL ordering of two values of one primitive type (lists library). */
function order(a: CelValue, b: CelValue): number {
  if (typeof a === typeof b && (typeof a === 'string' || typeof a === 'bigint' || typeof a === 'number' || typeof a === 'boolean')) return a < (b as typeof a) ? -1 : a > (b as typeof a) ? 1 : 0;
  if (isCelMap(a) && isCelMap(b) && a.has(Q_KEY)) return compareQuantity(asQuantity(a), asQuantity(b));
  return fail('no ordering for these list elements');
}
const items = (l: CelList) => [...l];
function equal(a: CelValue, b: CelValue): boolean {
  if (isCelMap(a) && isCelMap(b)) return a.size === b.size && [...a].every(([k, v]) => b.has(k) && equal(v, b.get(k)!));
  return a === b;
}

const listsLib: CelFunc[] = [
  celMethod('isSorted', LIST, [], BOOL, function () { const xs = items(this); return xs.every((x, i) => i === 0 || order(xs[i - 1]!, x) <= 0); }),
  celMethod('sum', LIST, [], DYN, function () {
    const xs = items(this);
    if (!xs.length) return 0n;
    return xs.reduce((acc, x) => (typeof acc === 'bigint' && typeof x === 'bigint' ? acc + x : typeof acc === 'number' && typeof x === 'number' ? acc + x : fail('sum: elements must be all int or all double'))) as bigint;
  }),
  celMethod('min', LIST, [], DYN, function () { const xs = items(this); if (!xs.length) fail('min: empty list'); return xs.reduce((a, b) => (order(b, a) < 0 ? b : a)) as bigint; }),
  celMethod('max', LIST, [], DYN, function () { const xs = items(this); if (!xs.length) fail('max: empty list'); return xs.reduce((a, b) => (order(b, a) > 0 ? b : a)) as bigint; }),
  celMethod('indexOf', LIST, [DYN], INT, function (x) { return BigInt(items(this).findIndex((y) => equal(y, x))); }),
  celMethod('lastIndexOf', LIST, [DYN], INT, function (x) { const xs = items(this); for (let i = xs.length - 1; i >= 0; i--) if (equal(xs[i]!, x)) return BigInt(i); return -1n; }),
];

/** RE2 patterns mostly read the same in JavaScript; the API server would refuse what neither compiles. */
const regexes = new Map<string, RegExp>();
function regex(pattern: string): RegExp {
  let re = regexes.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'gu');
    regexes.set(pattern, re);
  }
  re.lastIndex = 0;
  return re;
}
const regexLib: CelFunc[] = [
  celMethod('find', STRING, [STRING], STRING, function (p) { const m = new RegExp(regex(p).source, 'u').exec(this); return m ? m[0] : ''; }),
  celMethod('findAll', STRING, [STRING], LIST, function (p) { return celList([...this.matchAll(regex(p))].map((m) => m[0])); }),
  celMethod('findAll', STRING, [STRING, INT], LIST, function (p, n) { const all = [...this.matchAll(regex(p))].map((m) => m[0]); return celList(n < 0n ? all : all.slice(0, Number(n))); }),
];

/** Kubernetes' isIP: IPv4 dotted quad without leading zeros, or IPv6 without a zone. */
function isIPText(s: string): boolean {
  if (s.includes('%')) return false;
  const family = netIsIP(s);
  if (family === 4) return s.split('.').every((o) => o === '0' || !o.startsWith('0'));
  return family === 6 && !/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(s);
}
function isCIDRText(s: string): boolean {
  const [ip, bits, extra] = s.split('/');
  if (extra !== undefined || ip === undefined || bits === undefined || !/^\d{1,3}$/.test(bits) || !isIPText(ip)) return false;
  return Number(bits) <= (netIsIP(ip) === 4 ? 32 : 128);
}
function parseUrl(s: string): URL | undefined {
  try {
    return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s) || s.startsWith('/') ? new URL(s, 'http://relative.invalid') : undefined;
  } catch {
    return undefined;
  }
}
const urlOf = (v: CelMap) => new URL(String(v.get(URL_KEY)));
const netLib: CelFunc[] = [
  celFunc('isIP', [STRING], BOOL, isIPText),
  celFunc('isCIDR', [STRING], BOOL, isCIDRText),
  celFunc('ip', [STRING], OPAQUE, (s) => (isIPText(s) ? new Map([[IP_KEY, s.toLowerCase()]]) : fail(`ip: "${s}" is not an IP address`))),
  celMethod('family', OPAQUE, [], INT, function () { return BigInt(netIsIP(String(this.get(IP_KEY)))); }),
  celFunc('isURL', [STRING], BOOL, (s) => parseUrl(s) !== undefined),
  celFunc('url', [STRING], OPAQUE, (s) => (parseUrl(s) ? new Map([[URL_KEY, parseUrl(s)!.href]]) : fail(`url: "${s}" is not a URL`))),
  celMethod('getScheme', OPAQUE, [], STRING, function () { return urlOf(this).protocol.replace(/:$/, ''); }),
  celMethod('getHost', OPAQUE, [], STRING, function () { return urlOf(this).host; }),
  celMethod('getHostname', OPAQUE, [], STRING, function () { return urlOf(this).hostname.replace(/^\[|\]$/g, ''); }),
  celMethod('getPort', OPAQUE, [], STRING, function () { return urlOf(this).port; }),
  celMethod('getEscapedPath', OPAQUE, [], STRING, function () { return urlOf(this).pathname; }),
];

/** Every function the admission CEL environment adds to CEL's standard ones. */
export const KUBERNETES_LIBRARY: readonly CelFunc[] = [...strings, ...quantityLib, ...listsLib, ...regexLib, ...netLib];

/** Turns a thrown library error into the CEL error value the evaluator returns. */
export const libraryError = (id: number, e: unknown) => celError(String((e as Error).message ?? e), id);
