# syntax=docker/dockerfile:1
# Tessera as one static-ish binary on distroless: the build stage compiles dist/tessera (dashboard and
# migrations embedded); the runtime stage is glibc only, runs as uid 65532, keeps all data in /data.
ARG BUN_VERSION=1.4.5

FROM oven/bun:${BUN_VERSION} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Versions are pinned in package.json and package-lock.json (bun migrates the npm lockfile);
# dev dependencies are test tools only, the compiler is this image's bun.
RUN bun install --production
COPY . .
RUN bun scripts/build.ts \
 && mkdir -p /out/data   # distroless has no shell: create the volume's directory here

FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=build /src/dist/tessera /usr/local/bin/tessera
COPY --from=build --chown=65532:65532 /out/data /data
# MIMALLOC_PURGE_DELAY=0: the allocator returns freed pages at once instead of after 100 ms (README, Configuration).
ENV TESSERA_DATA_DIR=/data \
    TESSERA_HOST=0.0.0.0 \
    TESSERA_PORT=8080 \
    MIMALLOC_PURGE_DELAY=0
USER 65532:65532
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/usr/local/bin/tessera", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/tessera"]
CMD ["serve"]
