# The image the scheduled health check runs (catalog `health.image`), and a portable llm-gitops
# (`init --tool docker://ghcr.io/<org>/llm-gitops:<version>` makes CI run it; git is inside for
# diff and commit).
#   docker build -t ghcr.io/<org>/llm-gitops:<version> .
# The CronJob passes `health --plan /etc/llm-gitops/plan.json …`: what to check comes from the
# ConfigMap `generate` renders next to it, so this image holds no catalog and needs no rebuild
# when a catalog changes. Credentials come from the pod's ServiceAccount (in-cluster config).

FROM node:20.20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc tsconfig.json ./
# --ignore-scripts: the `dependencies` script would compile before the sources are copied.
RUN npm ci --ignore-scripts
COPY generator ./generator
COPY scripts/bundle.mjs ./scripts/
# The code-cached bundles of validate's full run and of health (the CronJob's start-up) and the
# command table's (bin.cjs, the entry point, runs it), as npm run build makes them.
RUN npx tsc -p tsconfig.json && node scripts/bundle.mjs

FROM node:20.20-bookworm-slim
ENV NODE_ENV=production NO_COLOR=1
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates openssh-client \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY generator/schema ./generator/schema
COPY LICENSE ./
# The catalogs, for `docker run … health --env <env>` against a kubeconfig you mount; the
# CronJob does not read them (it reads its plan ConfigMap).
COPY environments /repo/environments
# uid 1000 = `node` in the base image; the CronJob sets runAsNonRoot and a read-only root.
USER 1000:1000
WORKDIR /repo
ENTRYPOINT ["node", "/app/dist/bin.cjs"]
CMD ["health", "--once"]
