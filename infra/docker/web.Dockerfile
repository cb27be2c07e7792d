# onair web app (Next.js). Build from the repository root:
#   docker build -f infra/docker/web.Dockerfile -t onair-web .
FROM node:20-bookworm-slim AS build
WORKDIR /src
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json nx.json tsconfig.base.json ./
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
COPY libs/api-types/package.json libs/api-types/
COPY libs/protocol/package.json libs/protocol/
COPY libs/whep-client/package.json libs/whep-client/
RUN npm ci --no-audit --no-fund
COPY libs libs
COPY apps/web apps/web
RUN cd apps/web && npx next build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
COPY --from=build /src /app
WORKDIR /app/apps/web
EXPOSE 3000
# server.mjs, not `next start`: it decides the client address the API gateway reports.
CMD ["node", "server.mjs", "-p", "3000"]
