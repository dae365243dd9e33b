# syntax=docker/dockerfile:1
# Build: a static binary, no cgo (SQLite is pure Go).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/newsroom ./cmd/newsroom \
 && mkdir -p /out/data \
 && echo 'newsroom:x:10001:10001:newsroom:/data:/sbin/nologin' > /out/passwd \
 && echo 'newsroom:x:10001:' > /out/group

# Run: nothing but the binary, CA certificates and an unprivileged user.
FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=build /out/passwd /etc/passwd
COPY --from=build /out/group /etc/group
COPY --from=build --chown=10001:10001 /out/data /data
COPY --from=build /out/newsroom /usr/local/bin/newsroom
USER 10001:10001
ENV NEWSROOM_DATA_DIR=/data \
    NEWSROOM_LISTEN=0.0.0.0:8080 \
    NEWSROOM_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/newsroom", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/newsroom"]
CMD ["serve"]
