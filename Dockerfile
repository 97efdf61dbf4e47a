# Debian bookworm, like the hosts: the mediasoup worker builds against its system libraries.
FROM node:20-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends meson ninja-build pkg-config libsrtp2-dev libuv1-dev libssl-dev libabsl-dev libusrsctp-dev nlohmann-json3-dev ffmpeg && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN node scripts/ensure-installed.mjs --for=start && npm run build:web && npm run build:server
EXPOSE 8080
CMD ["node", "--enable-source-maps", "server/dist/server.mjs"]
