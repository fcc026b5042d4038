# irsakit image; by default it runs the pod identity webhook alone (deploy/deployment.yaml).
#   docker build -t irsakit:dev .   then   kind load docker-image irsakit:dev
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Tools for better-sqlite3 when no prebuilt binary matches the platform.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 make g++ >/dev/null \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# --ignore-scripts: the prepare script compiles src/, which is not copied yet.
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3 esbuild
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY deploy ./deploy
# Any non-root uid works: the webhook writes nothing to disk.
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["node", "/app/bin/irsakit.js"]
CMD ["webhook", "serve", "--in-cluster", "--host=0.0.0.0", "--port=8443", \
     "--tls-cert=/etc/webhook/certs/tls.crt", "--tls-key=/etc/webhook/certs/tls.key"]
