# syntax=docker/dockerfile:1
# One image, two binaries: `strata` (the gateway, run as the sidecar) and `strata-injector`
# (the webhook, and the sidecar's exec probe). The sidecar and the injector use the same
# image so the probe helper is always next to the gateway.
#
#   docker build -t ghcr.io/strata-io/strata:0.1.0 .
#   injector:  command ["/usr/local/bin/strata-injector"], args ["serve", ...]
#   sidecar:   args ["serve"] (the entrypoint is `strata`)

# Cache mounts (below) need BuildKit, the default builder since Docker 23.
FROM rust:1.90-bookworm AS build
WORKDIR /src
COPY . .
# Cache mounts keep the registry and target dir between builds without baking them into
# a layer; the binaries are copied out of the cached target dir.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p strata-gateway --bin strata -p strata-injector --bin strata-injector \
 && install -D -m 0755 target/release/strata /out/strata \
 && install -D -m 0755 target/release/strata-injector /out/strata-injector

# distroless/cc: glibc + libgcc, no shell, no package manager; `nonroot` is uid 65532,
# the uid the injector gives the sidecar.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/strata /usr/local/bin/strata
COPY --from=build /out/strata-injector /usr/local/bin/strata-injector
USER 65532:65532
EXPOSE 9000 9443 8443
ENTRYPOINT ["/usr/local/bin/strata"]
