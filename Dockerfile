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
# V8 sizes its heap from the machine's memory, not the container's limit: its young
# generation (up to 128 MiB on a large node), which module loading alone fills (255 MiB RSS
# idle against 143 MiB with 4 MiB semi-spaces), and, with no old-space limit given, an old
# generation it lets grow instead of collecting: under 50 ingest clients the API peaked at
# 230-242 MiB RSS and kept it, against 166-172 MiB with any explicit limit from 64 to 1024
# MiB (npm run bench:memory; throughput within the runs' noise). 256 MiB keeps the heap
# below the chart's 512Mi limit, so V8 collects before the kernel kills; raise both
# together (NODE_OPTIONS in api.extraEnv). package.json's scripts say the same.
ENV NODE_OPTIONS="--max-semi-space-size=4 --max-old-space-size=256"
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY scripts/patch-postgres-js.cjs ./scripts/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
USER node
EXPOSE 3000
# The API's old generation starts at 48 MiB. Under 256 MiB V8 lets a heap grow only 1.3x
# (or 8 MiB) past what survived its last full GC before collecting again: the API's 24 MiB
# heap was marked again after every ingest batch, 43-52 full GCs per 200,000 events, and
# GC was a third of its CPU. From 48 MiB: 16 against 25.6 us of CPU per ingested event
# (bench, ingest section). Node refuses this flag in NODE_OPTIONS, so it is here and in the
# chart's api command, which a test holds to this line.
CMD ["node", "--initial-old-space-size=48", "dist/app/main/api.js"]
