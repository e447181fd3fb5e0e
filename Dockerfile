# syntax=docker/dockerfile:1
# Sluice: one image for the API and the worker (docker-compose picks the command).
# Not exercised by CI (our machines have no Docker engine); kept in step with scripts/setup.sh.

# --- Node: dependencies and the web build ---------------------------------------------
FROM node:20-bookworm-slim AS node-build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund --loglevel=error
COPY . .
RUN npx vite build --config web/vite.config.ts --logLevel error \
 && npm prune --omit=dev --no-audit --no-fund

# --- Python: meltano and the plugins of meltano.yml -----------------------------------
FROM python:3.11-slim-bookworm AS meltano
WORKDIR /app
ENV MELTANO_SEND_ANONYMOUS_USAGE_STATS=false \
    MELTANO_SNOWPLOW_COLLECTOR_ENDPOINTS='[]' \
    MELTANO_CLI_DISABLE_VERSION_CHECK=1 \
    UV_PYTHON_DOWNLOADS=never \
    MELTANO_DATABASE_URI=sqlite:////tmp/build.db
COPY meltano.yml ./
RUN python -m venv .venv \
 && .venv/bin/pip install --no-cache-dir 'meltano[postgres]==4.4.1' \
 && .venv/bin/meltano install

# --- Runtime ---------------------------------------------------------------------------
FROM python:3.11-slim-bookworm
COPY --from=node-build /usr/local/bin/node /usr/local/bin/node
RUN useradd --create-home --uid 10001 sluice
WORKDIR /app
COPY --from=node-build --chown=sluice /app /app
COPY --from=meltano --chown=sluice /app/.venv /app/.venv
COPY --from=meltano --chown=sluice /app/.meltano /app/.meltano
USER sluice
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/api/v1/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--import", "tsx", "server/main.ts"]
