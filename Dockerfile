# syntax=docker/dockerfile:1
#
# The Précis image: a static binary on distroless (CA certificates, tzdata,
# a nonroot user, no shell). Build from the repository root:
#
#   docker build -t precis .
#   token=$(openssl rand -hex 24); echo "your token: $token"
#   docker run --rm -p 127.0.0.1:8080:8080 -v precis-data:/data -e PRECIS_API_TOKENS="me:$token" precis
#
# The image listens on 0.0.0.0:8080, so `precis serve` refuses to start
# until the page and the API are protected. Set one of:
#   PRECIS_API_TOKENS (or PRECIS_API_TOKENS_FILE)  name:token pairs, comma-separated
#   PRECIS_TRUSTED_PROXIES                          CIDRs of a reverse proxy that sets X-Forwarded-User
#   PRECIS_HTTP_PUBLIC=true                         serve them to anyone (a warning is logged)
# and name the public address with PRECIS_PUBLIC_URL (the Host the service
# answers to besides IP addresses and localhost). PRECIS_METRICS_ADDR puts
# /metrics on a listener of its own. README.md ("Operations") lists every
# variable.

# The builder runs on the build machine's platform and cross-compiles.
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG TARGETOS=linux
ARG TARGETARCH=amd64
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags "-s -w" -o /out/precis ./cmd/precis
# The data directory, owned by the runtime user so that a new volume
# mounted on it is writable.
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian13:nonroot
COPY --from=build /out/precis /usr/local/bin/precis
COPY --from=build --chown=65532:65532 /out/data /data
# The embedded SQLite database, precis.db in the working directory, lives
# on the volume; PRECIS_DATABASE_URL (or PRECIS_DATABASE_URL_FILE) naming a
# PostgreSQL database replaces it. (Not set here: an image default would
# conflict with PRECIS_DATABASE_URL_FILE.)
WORKDIR /data
ENV PRECIS_HTTP_ADDR=0.0.0.0:8080 \
    PRECIS_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
# `precis serve` by default; `docker run IMAGE migrate` or `config check`
# run the other commands.
ENTRYPOINT ["/usr/local/bin/precis"]
CMD ["serve"]
