# syntax=docker/dockerfile:1
# One image for every service of ours (docker-compose.yml picks the command): the worker, the control API, the
# portal, the platform simulator, the SMTP sink and the CLI. Two stages: the build stage has the toolchain
# (TypeScript, esbuild, tsx) and runs `npm run build` (type-check, bundle, workflow bundle); the runtime stage
# has production dependencies and dist/ only — no compiler, no tsx, no sources — and runs as a non-root user.
# Without a Docker engine, scripts/dockerfile-check.sh runs these same steps in clean directories.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The Build ID of Worker Versioning comes from the version and this commit (dist/build-info.json).
ARG BUILD_COMMIT=unknown
RUN BUILD_COMMIT="$BUILD_COMMIT" npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY bin ./bin
USER node
ENTRYPOINT ["node", "bin/ecp-cutover.mjs"]
CMD ["worker"]
# Each service's own check is set in docker-compose.yml (`ecp-cutover health <service>`); the image's default
# is the worker's.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["node", "bin/ecp-cutover.mjs", "health", "worker"]
