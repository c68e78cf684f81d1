# One image for the worker, the portal, the simulator and the CLI (docker-compose.yml picks the command).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
ENV NODE_ENV=production
ENTRYPOINT ["node", "bin/ecp-cutover.mjs"]
CMD ["worker"]
