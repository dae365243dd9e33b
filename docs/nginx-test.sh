#!/usr/bin/env bash
# Checks docs/nginx.conf: its syntax with `nginx -t`, then for real, on
# unprivileged ports with a self-signed certificate, in front of two
# `newsroom serve` instances on one PostgreSQL: requests through nginx
# are answered, and keep being answered once one instance is killed.
#
#   NEWSROOM_TEST_POSTGRES_URL=postgres://… docs/nginx-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${NEWSROOM_TEST_POSTGRES_URL:?set NEWSROOM_TEST_POSTGRES_URL to a PostgreSQL database newsroom may use}"
command -v nginx >/dev/null || { echo "nginx is not installed" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	[ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/newsroom" ./cmd/newsroom
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=news.example.org \
	-keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

http=18080 https=18443 a=18081 b=18082
sed -e "s#/etc/letsencrypt/live/news.example.org/fullchain.pem#$work/cert.pem#" \
	-e "s#/etc/letsencrypt/live/news.example.org/privkey.pem#$work/key.pem#" \
	-e "s#listen 80;#listen $http;#; s#listen \[::\]:80;#listen [::]:$http;#" \
	-e "s#listen 443 ssl http2;#listen $https ssl http2;#; s#listen \[::\]:443 ssl http2;#listen [::]:$https ssl http2;#" \
	-e "s#127.0.0.1:8081#127.0.0.1:$a#; s#127.0.0.1:8082#127.0.0.1:$b#" \
	docs/nginx.conf >"$work/newsroom.conf"
cat >"$work/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log $work/error.log;
events {}
http {
    access_log $work/access.log;
    client_body_temp_path $work/body;
    proxy_temp_path $work/proxy;
    include $work/newsroom.conf;
}
CONF
nginx -t -c "$work/nginx.conf" -p "$work"

common=(--base-url https://news.example.org --database-url "$NEWSROOM_TEST_POSTGRES_URL"
	--trusted-proxies 127.0.0.1/32 --log-format json --log-level warn)
"$work/newsroom" serve --listen 127.0.0.1:$a --data-dir "$work/a" "${common[@]}" >"$work/a.log" 2>&1 &
pids+=($!)
"$work/newsroom" serve --listen 127.0.0.1:$b --data-dir "$work/b" "${common[@]}" >"$work/b.log" 2>&1 &
pids+=($!)
nginx -c "$work/nginx.conf" -p "$work"
for port in $a $b; do
	for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
done

get() { curl -fsk -o /dev/null -w '%{http_code}' --resolve "news.example.org:$https:127.0.0.1" "https://news.example.org:$https$1"; }
for _ in $(seq 10); do [ "$(get /healthz)" = 200 ] || { echo "nginx: not 200 with both instances up" >&2; exit 1; }; done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http/")" = 301 ] || { echo "http does not redirect" >&2; exit 1; }

kill -9 "${pids[0]}"
for _ in $(seq 10); do [ "$(get /healthz)" = 200 ] || { echo "nginx: not 200 with one instance killed" >&2; exit 1; }; done
echo "nginx.conf: syntax ok; requests answered with both instances up and with one killed"
