# onair API (NestJS). Build from the repository root:
#   docker build -f infra/docker/api.Dockerfile -t onair-api .
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json nx.json tsconfig.base.json jest.preset.js prisma.config.ts ./
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
COPY libs/api-types/package.json libs/api-types/
COPY libs/protocol/package.json libs/protocol/
COPY libs/whep-client/package.json libs/whep-client/
RUN npm ci --no-audit --no-fund
COPY prisma prisma
COPY libs libs
COPY apps/api apps/api
RUN DATABASE_URL=postgresql://build/unused npx prisma generate \
 && npx tsc -p libs/api-types/tsconfig.build.json \
 && npx tsc -p libs/protocol/tsconfig.build.json \
 && npx tsc -p apps/api/tsconfig.build.json

FROM node:20-bookworm-slim
# coturn: the embedded TURN server the API runs and supervises when ONAIR_TURN_SERVER=embedded.
RUN apt-get update && apt-get install -y --no-install-recommends coturn ffmpeg && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src /app
EXPOSE 8080
# Apply migrations, then serve. DATABASE_URL and JANUS_* come from the environment.
CMD ["sh", "-c", "npx --no-install prisma migrate deploy && exec node apps/api/dist/main.js"]
