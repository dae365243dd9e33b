#!/usr/bin/env bash
# Which parts of newsroom's code are resident in a freshly started, idle
# server, and how many of them are there only because a package has
# initialisation work (docs/benchmarks.md, "Idle memory: what the code
# pages are").
#
#   docs/idle-text.sh [seconds idle, default 5]
#
# Builds newsroom with its symbol table (same layout as the stripped
# build), starts it from a copy dropped from the page cache on a fresh data
# directory on loopback, waits for /readyz and the idle time, then reads
# /proc/PID/pagemap for the code mapping: which 4 KiB pages are present,
# grouped into the 64 KiB windows the kernel maps around a fault, and
# which windows hold a package's init function.
set -euo pipefail
cd "$(dirname "$0")/.."
idle="${1:-5}"
work="$(mktemp -d)"
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

CGO_ENABLED=0 go build -trimpath -o "$work/newsroom" ./cmd/newsroom
go tool nm -size -sort address "$work/newsroom" >"$work/nm.txt"
cp "$work/newsroom" "$work/bin"
sync "$work/bin"
python3 -c "import os; fd=os.open('$work/bin', os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$work/bin" serve --listen "127.0.0.1:$port" --data-dir "$work/data" --log-level warn >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" && break; sleep 0.05; done
sleep "$idle"
grep -E '^(VmRSS|RssAnon|RssFile)' "/proc/$pid/status"
python3 - "$pid" "$work/nm.txt" "$work/bin" <<'EOF'
import collections, re, struct, sys
pid, nm, binpath = int(sys.argv[1]), sys.argv[2], sys.argv[3]
text = None
for line in open(f"/proc/{pid}/maps"):
    f = line.split()
    if len(f) > 5 and f[1] == "r-xp" and f[5] == binpath:
        text = [int(x, 16) for x in f[0].split("-")]
lo, hi = text
present = set()
with open(f"/proc/{pid}/pagemap", "rb") as pm:
    for a in range(lo, hi, 4096):
        pm.seek(a // 4096 * 8)
        if struct.unpack("<Q", pm.read(8))[0] >> 63:
            present.add(a)
windows = {a // 65536 for a in present}
init = collections.defaultdict(set)
for line in open(nm):
    f = line.split()
    # A package's initialisation: pkg.init, pkg.init.0, pkg.init.func1,
    # pkg.map.init.0 (a map variable's initialiser); not a method named init.
    m = len(f) > 3 and f[2] == "T" and re.match(r"^([^()]+?)(\.map)?\.init(\.\d+|\.func\d+.*)?$", f[3])
    if not m:
        continue
    pkg = m.group(1)
    parts = pkg.split("/")
    mod = "/".join(parts[:3]) if "." in parts[0] else "standard library"
    init[mod].add(int(f[0], 16) // 65536)
initw = set().union(*init.values())
mib = lambda n: n * 64 / 1024
print(f"code resident: {len(present) * 4 / 1024:.2f} MiB in {len(windows)} windows of 64 KiB")
print(f"windows holding an init function: {len(initw)} ({mib(len(initw)):.2f} MiB), "
      f"{len(initw & windows)} of them resident; resident windows without one: {len(windows - initw)} ({mib(len(windows - initw)):.2f} MiB)")
print("init windows by module:")
for mod, w in sorted(init.items(), key=lambda kv: -len(kv[1])):
    print(f"  {len(w):4d}  {mod}")
EOF
