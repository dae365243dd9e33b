package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Health, readiness, request ids, security headers and metrics, as an
// operator or a load balancer sees them.
func TestOperations(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts := startServer(t, backend)
		code, h, body := ts.get(t, "/healthz", "")
		if code != 200 || body != "ok\n" {
			t.Fatalf("healthz %d %q", code, body)
		}
		if h.Get("X-Request-Id") == "" {
			t.Error("no X-Request-Id")
		}
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("CSP %q", csp)
		}
		if code, _, body := ts.get(t, "/readyz", ""); code != 200 || body != "ready\n" {
			t.Fatalf("readyz %d %q", code, body)
		}
		ts.get(t, "/no/such/page", "")
		code, _, metrics := ts.get(t, "/metrics", "")
		if code != 200 {
			t.Fatalf("metrics %d", code)
		}
		for _, want := range []string{
			`newsroom_http_requests_total{method="GET",route="/healthz",status="200"} `,
			`newsroom_http_request_duration_seconds_bucket{route="/readyz"`,
			`go_goroutines`,
		} {
			if !strings.Contains(metrics, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		// Unknown paths must not create one series each.
		if strings.Contains(metrics, "/no/such/page") {
			t.Error("metrics label raw paths")
		}
	})
}

func TestMetricsOnTheirOwnAddress(t *testing.T) {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	ts := startServer(t, "sqlite", "--metrics-listen", addr)
	if code, _, _ := ts.get(t, "/metrics", ""); code != http.StatusNotFound {
		t.Errorf("/metrics on the public address: %d", code)
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "newsroom_jobs_total") && !strings.Contains(string(b), "newsroom_http_requests_total") {
		t.Fatalf("metrics listener: %d %.200s", resp.StatusCode, b)
	}
}

// The real binary stops cleanly on SIGTERM: it finishes, says so, exits 0.
// At start it removes the upload temporaries a killed process left.
func TestBinaryStopsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "newsroom")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	port := freePort(t)
	data := t.TempDir()
	left := filepath.Join(data, "tmp", "multipart-1234567")
	if err := os.MkdirAll(filepath.Dir(left), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(left, []byte("half an upload"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--listen", fmt.Sprintf("127.0.0.1:%d", port),
		"--base-url", fmt.Sprintf("http://127.0.0.1:%d", port), "--data-dir", data, "--log-format", "text")
	cmd.Env = append(os.Environ(), "NEWSROOM_DATABASE_URL=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	waitHealthy(t, fmt.Sprintf("http://127.0.0.1:%d", port))
	if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an upload temporary left by a killed process is still there: %v", err)
	}
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	for l := range lines {
		log.WriteString(l + "\n")
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "shutting down") {
		t.Errorf("no shutdown message:\n%s", log.String())
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s to stop", d)
	}
}
