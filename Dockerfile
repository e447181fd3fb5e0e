# syntax=docker/dockerfile:1
# Sluice: one image for the API and the worker (docker-compose picks the command).
# Not built by CI (our machines have no Docker engine); scripts/dockerfile.test.ts checks it
# statically, and it is kept in step with scripts/setup.sh.

# --- Node: compile and build -----------------------------------------------------------
FROM node:20-bookworm-slim AS node-build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY . .
# Production runs plain JavaScript, no TypeScript loader: the API, the worker and the
# operator commands (tsconfig.build.json, into dist/), target-clickhouse and tap-sluice-postgres as
# setup.sh compiles them (their bin scripts then start dist/main.js, the path BENCHMARKS.md
# measures), the web app.
RUN npx tsc -p tsconfig.build.json \
 && npx tsc -p meltano/target-clickhouse/tsconfig.build.json \
 && npx tsc -p meltano/tap-sluice-postgres/tsconfig.build.json \
 && npx vite build --config web/vite.config.ts --logLevel error

# --- Node: runtime dependencies only ---------------------------------------------------
FROM node:20-bookworm-slim AS node-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

# --- Python: meltano, whose uv installs the plugins (in the runtime stage) -------------
FROM python:3.11-slim-bookworm AS meltano
WORKDIR /app
RUN python -m venv .venv \
 && .venv/bin/pip install --no-cache-dir 'meltano[postgres]==4.4.1'

# --- Runtime: compiled JavaScript laid out as the sources are, no TypeScript -----------
FROM python:3.11-slim-bookworm
COPY --from=node-build /usr/local/bin/node /usr/local/bin/node
RUN useradd --create-home --uid 10001 sluice
WORKDIR /app
# package.json says "type": "module" for every .js below.
COPY --from=node-build --chown=sluice /app/package.json /app/meltano.yml ./
COPY --from=node-deps --chown=sluice /app/node_modules ./node_modules
# dist/server/main.js becomes server/main.js: paths the code finds from its own place
# (../web/dist, ./migrations, the project root) stay what they are in the sources.
COPY --from=node-build --chown=sluice /app/dist/ ./
COPY --from=node-build --chown=sluice /app/db/migrations ./db/migrations
COPY --from=node-build --chown=sluice /app/web/dist ./web/dist
COPY --from=node-build --chown=sluice /app/meltano/target-clickhouse/bin ./meltano/target-clickhouse/bin
COPY --from=node-build --chown=sluice /app/meltano/target-clickhouse/dist ./meltano/target-clickhouse/dist
COPY --from=node-build --chown=sluice /app/meltano/tap-sluice-postgres/bin ./meltano/tap-sluice-postgres/bin
COPY --from=node-build --chown=sluice /app/meltano/tap-sluice-postgres/dist ./meltano/tap-sluice-postgres/dist
COPY --from=meltano --chown=sluice /app/.venv /app/.venv
RUN install -d -o sluice -g sluice /app/.meltano
USER sluice
# Every plugin of meltano.yml, installed as a worker installs one on first use (the same venvs,
# markers and lock), so the image needs no PyPI at run time; plugins registered later install
# on first use into .meltano. uv's cache stays out of the image.
RUN UV_CACHE_DIR=/tmp/uv-cache node scripts/install-plugins.js --all && rm -rf /tmp/uv-cache
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/api/v1/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "server/main.js"]
