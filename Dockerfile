# syntax=docker/dockerfile:1
# One image, three entry points: api (default), controller, migrate.
#   docker build -t failsight .
#   docker run -e DATABASE_URL=postgres://... failsight                      # api
#   docker run -e DATABASE_URL=postgres://... failsight node dist/app/main/migrate.js

FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# npm's postinstall mends postgres.js (see the script).
COPY scripts/patch-postgres-js.cjs ./scripts/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY app ./app
# The build copies these into dist/: the migrator looks for migrations/ two folders above
# dist/app/db, the OTLP and Loki protobuf definitions are three above dist/app/ingest/formats.
COPY migrations ./migrations
COPY proto ./proto
RUN npm run typecheck && npm run build

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
# V8 sizes its young generation from the machine's memory (up to 128 MiB on a large node),
# and module loading alone fills it: 255 MiB RSS idle against 143 MiB with 4 MiB semi-spaces,
# at the same ingest throughput (npm run bench:memory). package.json's scripts say the same.
ENV NODE_OPTIONS=--max-semi-space-size=4
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY scripts/patch-postgres-js.cjs ./scripts/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
USER node
EXPOSE 3000
CMD ["node", "dist/app/main/api.js"]
