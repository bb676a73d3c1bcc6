# syntax=docker/dockerfile:1
# One image for every Tollgate process; docker-compose.yml picks the process with `command:`
# (node dist/apps/<app>/apps/<app>/src/main.js, the same file as `npm run start:<app>`).
#   docker build -t tollgate:local .
#   docker run --rm -p 7400:7400 -e HOST=0.0.0.0 tollgate:local      # auth-server, SQLite in /data

# Node 24 LTS: Node 20 reached end of life in April 2026, and dependencies (cookie, file-type,
# content-disposition at run time) require Node 22 or later.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
# Toolchain for the native modules (better-sqlite3 v12, argon2) when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts run only for the packages package.json's allowScripts allows (better-sqlite3,
# argon2: each takes a prebuilt binary when one matches and compiles otherwise).
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 argon2
COPY . .
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    DATA_DIR=/data
WORKDIR /app
# Code and dependencies stay owned by root (read-only to the app); only /data is the app's, and
# /tls and /tls-ca, where docker-compose's certificates service writes (a named volume mounted there
# takes the folder's owner).
RUN mkdir /data /tls /tls-ca && chown node:node /data /tls /tls-ca
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY docker/healthcheck.mjs ./docker/healthcheck.mjs
USER node
VOLUME ["/data"]
EXPOSE 7400 7401 7402 7403 7883 7884 7885
CMD ["node", "dist/apps/auth-server/apps/auth-server/src/main.js"]
