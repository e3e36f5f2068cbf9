# syntax=docker/dockerfile:1.6
# Multi-stage build. FEATURES picks the monolith (default) or one service:
#   docker build --build-arg FEATURES=dealer -t evdms-dealer .
ARG RUST_VERSION=1
FROM rust:${RUST_VERSION}-bookworm AS build
ARG FEATURES=monolith
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --no-default-features --features "${FEATURES}" \
 && cp target/release/evdms /evdms

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin evdms \
 && mkdir -p /app/data \
 && chown evdms /app/data
WORKDIR /app
COPY --from=build /evdms /usr/local/bin/evdms
COPY config /app/config
ENV EVDMS_ENV=production \
    EVDMS_CONFIG_DIR=/app/config \
    EVDMS__SERVER__HOST=0.0.0.0 \
    EVDMS__DATA__DIR=/app/data
USER evdms
VOLUME /app/data
EXPOSE 8080
# No HEALTHCHECK: the slim image has no HTTP client; orchestrators probe /health and /ready.
ENTRYPOINT ["evdms"]
CMD ["serve"]
