# Janus >= 1.1.4 built from Debian's janus source package by onair's own script, with
# onair's config generated at start from the same environment variables the API reads.
#   docker build -f infra/docker/janus.Dockerfile -t onair-janus .
FROM node:20-bookworm-slim
WORKDIR /onair
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY infra/scripts infra/scripts
ENV ONAIR_CACHE_DIR=/opt/onair
RUN bash infra/scripts/install-janus.sh > /opt/janus-prefix
COPY package.json package-lock.json nx.json tsconfig.base.json prisma.config.ts ./
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
COPY libs/api-types/package.json libs/api-types/
COPY libs/protocol/package.json libs/protocol/
COPY libs/whep-client/package.json libs/whep-client/
RUN npm ci --no-audit --no-fund --workspace @onair/api --include-workspace-root
COPY prisma prisma
COPY libs/api-types libs/api-types
COPY libs/protocol libs/protocol
COPY apps/api apps/api
COPY infra/janus infra/janus
RUN DATABASE_URL=postgresql://build/unused npx prisma generate \
 && npx tsc -p libs/api-types/tsconfig.build.json && npx tsc -p libs/protocol/tsconfig.build.json \
 && npx tsc -p apps/api/tsconfig.build.json
# Janus gathers on the host's interfaces: run this container with network_mode: host.
CMD ["sh", "-c", "P=$(cat /opt/janus-prefix) && node apps/api/dist/cli/main.js janus-config --templates infra/janus --out /etc/onair-janus --prefix $P && exec $P/bin/janus -C /etc/onair-janus/janus.jcfg -F /etc/onair-janus -N"]
