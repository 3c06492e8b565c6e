# The one Lifeboat image: the operator and the agent its Jobs run (`lifeboat agent ...`).
# Build: docker build -t lifeboat:dev .
# Multi-stage on Debian bookworm: the build stage compiles with Debian's libraries; the runtime stage
# carries only the shared libraries, the programs the agent runs (PostgreSQL 15 client tools, restic)
# and CA certificates, and runs as a non-root user.

FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake g++ make pkg-config libssl-dev libboost-system-dev libcpprest-dev nlohmann-json3-dev \
      libyaml-cpp-dev libpqxx-dev libpq-dev libspdlog-dev prometheus-cpp-dev libgtest-dev libgmock-dev \
      libhowardhinnant-date-dev libcli11-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release \
 && cmake --build /build --target lifeboat -j"$(nproc)" \
 && strip /build/bin/lifeboat

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      postgresql-client-15 postgresql-15 restic ca-certificates tzdata \
      libpqxx-6.4 libpq5 libcpprest2.10 libboost-system1.74.0 libssl3 libyaml-cpp0.7 \
      libspdlog1.10 libfmt9 libprometheus-cpp-core1.0 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 65532 --user-group --home-dir /home/lifeboat --create-home --shell /usr/sbin/nologin lifeboat
COPY --from=build /build/bin/lifeboat /usr/local/bin/lifeboat
# postgresql-15: the server binaries a drill's scratch PostgreSQL runs (no service is started).
# pg_dump/pg_restore/psql of PostgreSQL 15 directly (no pg_wrapper version guessing); restic's cache
# and the agent's scratch files go to writable places even with a read-only root filesystem + emptyDir.
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/home/lifeboat \
    RESTIC_CACHE_DIR=/tmp/restic-cache \
    LIFEBOAT_WORK_DIR=/tmp
USER 65532:65532
WORKDIR /home/lifeboat
ENTRYPOINT ["/usr/local/bin/lifeboat"]
CMD ["operator"]
