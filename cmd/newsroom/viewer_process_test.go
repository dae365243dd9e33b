package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// startViewerProcess fetches page every interval from a process of its
// own, with client's cookies, as an editor's browser would: the fetches
// then do not wait for a processor behind the server's own goroutines,
// as those of a client in the server's process do, and what they measure
// is what a browser sees. The function returned stops it and gives what
// each fetch took; a fetch that failed or lacked want fails tb.
func startViewerProcess(tb testing.TB, client *http.Client, page, want string, interval time.Duration) func() []time.Duration {
	tb.Helper()
	u, err := url.Parse(page)
	if err != nil {
		tb.Fatal(err)
	}
	var cookies []string
	for _, c := range client.Jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	cmd, stdin, stdout := startChild(tb, "TestViewerProcess", "NEWSROOM_VIEWER_PAGE="+page,
		"NEWSROOM_VIEWER_COOKIE="+strings.Join(cookies, "; "), "NEWSROOM_VIEWER_WANT="+want,
		"NEWSROOM_VIEWER_INTERVAL="+interval.String())
	tb.Cleanup(func() { stdin.Close() }) // a benchmark that failed first
	return func() []time.Duration {
		stdin.Close() // the child stops when its input ends
		var lat []time.Duration
		line, err := bufio.NewReader(stdout).ReadBytes('\n')
		if err == nil {
			err = json.Unmarshal(line, &lat)
		}
		if werr := cmd.Wait(); werr != nil || err != nil {
			tb.Errorf("viewer process: %v; said %q: %v", werr, line, err)
		}
		return lat
	}
}

// TestViewerProcess is the child side of startViewerProcess; run on its
// own, it does nothing.
func TestViewerProcess(t *testing.T) {
	page := os.Getenv("NEWSROOM_VIEWER_PAGE")
	if page == "" {
		t.Skip("run by the benchmarks, in a process of its own")
	}
	interval, err := time.ParseDuration(os.Getenv("NEWSROOM_VIEWER_INTERVAL"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(page)
	if err != nil {
		t.Fatal(err)
	}
	cookies, err := http.ParseCookie(os.Getenv("NEWSROOM_VIEWER_COOKIE"))
	if err != nil {
		t.Fatal(err)
	}
	client := browser(t)
	client.Jar.SetCookies(u, cookies)
	stop := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(stop)
	}()
	lat := <-pageLatencies(t, client, page, os.Getenv("NEWSROOM_VIEWER_WANT"), interval, stop)
	line, _ := json.Marshal(lat)
	os.Stdout.Write(append(line, '\n'))
}
