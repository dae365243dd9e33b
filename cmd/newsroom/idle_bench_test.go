package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkIdleMemory is the resident memory of the binary, built as
// docs/benchmarks.md says (static, stripped), started on a fresh SQLite
// data directory and left idle for 5 s: VmRSS, and its anonymous part
// (heap, stacks, runtime) and file-backed part (the binary's pages the
// start touched). Each iteration starts a new process; the figures are
// the means. Target: VmRSS at most 30 MB.
//
//	go test ./cmd/newsroom -run '^$' -bench IdleMemory -benchtime 3x
func BenchmarkIdleMemory(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "newsroom")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	var rss, anon, file int64
	n := 0
	for b.Loop() {
		port := freePort(b)
		p := startProcess(b, bin, []string{"--listen", fmt.Sprintf("127.0.0.1:%d", port),
			"--data-dir", b.TempDir(), "--log-level", "warn"})
		waitHealthy(b, fmt.Sprintf("http://127.0.0.1:%d", port))
		time.Sleep(5 * time.Second)
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
		if err != nil {
			b.Fatal(err)
		}
		rss += statusField(status, "VmRSS")
		anon += statusField(status, "RssAnon")
		file += statusField(status, "RssFile")
		n++
		p.kill(b)
	}
	b.ReportMetric(mb(rss)/float64(n), "RSS-MB")
	b.ReportMetric(mb(anon)/float64(n), "anon-MB")
	b.ReportMetric(mb(file)/float64(n), "file-MB")
	b.ReportMetric(0, "ns/op")
}
