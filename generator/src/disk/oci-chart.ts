/**
 * A Helm chart from an OCI registry (`oci://registry/path/chart`, tag = the chart version), as
 * `helm pull` fetches it: the image manifest, then its one Helm chart layer, streamed (never held
 * whole) and checked against the manifest's sha256 digest. Anonymous pulls only (a registry that
 * answers 401 with a Bearer challenge gets an anonymous token, as Docker Hub and GHCR give for
 * public charts); credentials are never read. Plain HTTP only for a loopback registry (tests).
 */
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { UserError } from '../errors.js';
import { LIMITS } from './vendor-source.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const HELM_CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
const TIMEOUT = 120_000;

/** oci://host[:port]/repo/path → the registry's base URL and the repository. */
function parseRef(ref: string): { base: string; repository: string } {
  const m = /^oci:\/\/([^/]+)\/(.+?)\/?$/.exec(ref);
  if (!m) throw UserError.of(ref, 'is not an OCI chart reference such as oci://registry-1.docker.io/envoyproxy/gateway-helm', 2);
  const host = m[1]!;
  const loopback = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(host);
  return { base: `${loopback ? 'http' : 'https'}://${host}`, repository: m[2]! };
}

/** The anonymous Bearer token a 401 challenge offers, if it offers one. */
async function anonymousToken(challenge: string | null, label: string): Promise<string | undefined> {
  if (!challenge?.startsWith('Bearer ')) return undefined;
  const params = Object.fromEntries([...challenge.slice(7).matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
  if (!params.realm) return undefined;
  const url = new URL(params.realm);
  for (const k of ['service', 'scope']) if (params[k]) url.searchParams.set(k, params[k]);
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT) });
  if (!res.ok) throw UserError.of(label, `the registry refused an anonymous token (HTTP ${res.status}) — is the chart public? Otherwise \`helm pull\` it with your credentials and pass the .tgz`);
  const body = (await res.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
  const token = body.token ?? body.access_token;
  return typeof token === 'string' ? token : undefined;
}

/** GET with the token dance: on a 401 Bearer challenge, fetch an anonymous token once and retry. */
async function get(url: string, accept: string, label: string, auth: { token?: string }): Promise<Response> {
  const once = () => fetch(url, { headers: { accept, ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}) }, signal: AbortSignal.timeout(TIMEOUT) });
  let res = await once();
  if (res.status === 401 && !auth.token) {
    const token = await anonymousToken(res.headers.get('www-authenticate'), label);
    if (token) {
      auth.token = token;
      res = await once();
    }
  }
  return res;
}

/** The chart layer of `ref` at tag `version`, as a stream that fails unless its bytes match the manifest's digest. */
export async function pullChart(ref: string, version: string): Promise<Readable> {
  const { base, repository } = parseRef(ref);
  const auth: { token?: string } = {};
  const label = `${ref}:${version}`;
  const res = await get(`${base}/v2/${repository}/manifests/${encodeURIComponent(version)}`, MANIFEST, label, auth);
  if (!res.ok) throw UserError.of(label, `the registry answered HTTP ${res.status} for the chart's manifest — check the reference and the version (is the tag ${version} published?)`);
  const text = await res.text();
  if (text.length > 1 << 20) throw UserError.of(label, 'the manifest is over 1 MiB — not a Helm chart manifest');
  let manifest: { layers?: { mediaType?: unknown; digest?: unknown; size?: unknown }[] };
  try {
    manifest = JSON.parse(text) as typeof manifest;
  } catch {
    throw UserError.of(label, 'the registry sent a manifest that is not JSON');
  }
  const layer = (Array.isArray(manifest.layers) ? manifest.layers : []).find((l) => l?.mediaType === HELM_CHART_LAYER);
  const digest = typeof layer?.digest === 'string' ? layer.digest : '';
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw UserError.of(label, `the manifest has no Helm chart layer (${HELM_CHART_LAYER}) with a sha256 digest — is this a Helm chart?`);
  if (typeof layer!.size === 'number' && layer!.size > LIMITS.download) throw UserError.of(label, `the chart layer is ${layer!.size} bytes, over the ${LIMITS.download} vendor takes`);
  const blob = await get(`${base}/v2/${repository}/blobs/${digest}`, HELM_CHART_LAYER, label, auth);
  if (!blob.ok || !blob.body) throw UserError.of(label, `the registry answered HTTP ${blob.status} for the chart layer ${digest}`);
  const hash = createHash('sha256');
  const verify = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      const got = `sha256:${hash.digest('hex')}`;
      done(got === digest ? null : new Error(`the chart layer's sha256 is ${got}, not the manifest's ${digest} — the download was altered or cut short`));
    },
  });
  const body = Readable.fromWeb(blob.body as import('node:stream/web').ReadableStream);
  body.on('error', (e) => verify.destroy(e));
  return body.pipe(verify);
}
