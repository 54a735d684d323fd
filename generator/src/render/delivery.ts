/**
 * environments/<env>/delivery/: the Argo CD or Flux objects that deliver an environment, in their
 * own kustomization (applied once by a person), never inside the models kustomization they deliver.
 */
import type { Environment } from '../model/types.js';
import { renderArgoCd } from './argocd.js';
import { renderDeliveryReadme } from './delivery-readme.js';
import { renderFlux } from './flux.js';
import type { OutputFile } from './output.js';

export function renderDelivery(env: Environment, omit: { readonly readmes?: boolean } = {}): OutputFile[] {
  const readme = () => (omit.readmes ? [] : [renderDeliveryReadme(env)]);
  switch (env.delivery.engine) {
    case 'argocd':
      return [...renderArgoCd(env), ...readme()];
    case 'flux':
      return [...renderFlux(env), ...readme()];
    case 'none':
      return [];
  }
}
