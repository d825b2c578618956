# Slipway itself. Two stages: `build` installs every dependency and compiles the TypeScript to
# dist/ (npm run build); the runtime stage gets only production dependencies, dist/ and bin/,
# plus git (Slipway clones the repositories it builds) and runs as an unprivileged user.
#
#   docker build -t slipway .                                  # on node:20-bookworm-slim
#   docker build --build-arg NODE_IMAGE=my/node:20 -t slipway .  # any base with node 20, npm, sh
#
# The worker needs the Docker engine (DOCKER_HOST, or /var/run/docker.sock mounted): give the
# container the socket's group (`group_add`, see docker-compose.yml) rather than running as root.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY workers workers
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
# git: installed from Debian unless the base already has it
RUN if ! command -v git >/dev/null 2>&1; then \
      apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*; \
    fi \
 && mkdir -p /data /app/pipelines && chown 1000:1000 /data
WORKDIR /app
# MALLOC_ARENA_MAX: glibc's malloc otherwise keeps an arena per thread (V8's compiler and GC
# threads, libuv's pool), and memory freed in them after a busy spell stays resident; with two,
# RSS comes back to within 10 % of idle after 10,000 webhook deliveries (README "How fast").
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    SLIPWAY_RUN=compiled \
    SLIPWAY_HOST=0.0.0.0 \
    SLIPWAY_DATA_DIR=/data \
    SLIPWAY_PIPELINES_DIR=/app/pipelines
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY bin bin
USER 1000:1000
EXPOSE 3000
VOLUME ["/data"]
# The server's health; a worker-only container has no HTTP port (compose turns this off for it).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/slipway.mjs"]
CMD ["all"]
