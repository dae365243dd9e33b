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

// views fetches a page at a steady pace and says what each fetch took.
type views struct {
	// begin starts the fetches of page.
	begin func(page string)
	// end stops them and gives what each took, in the order made.
	end func() []time.Duration
}

// startViewerProcess readies a process of its own to fetch a page every
// interval with client's cookies, as an editor's browser would: the
// fetches then do not wait for a processor behind the server's own
// goroutines, as those of a client in the server's process do, and what
// they measure is what a browser sees. It returns once the process is
// up, has its connection open and its client's code warm, so that
// starting it costs the measured moments nothing; a fetch that failed or
// lacked want fails tb.
func startViewerProcess(tb testing.TB, client *http.Client, base, want string, interval time.Duration) views {
	tb.Helper()
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	var cookies []string
	for _, c := range client.Jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	cmd, stdin, stdout := startChild(tb, "TestViewerProcess", "NEWSROOM_VIEWER_BASE="+base,
		"NEWSROOM_VIEWER_COOKIE="+strings.Join(cookies, "; "), "NEWSROOM_VIEWER_WANT="+want,
		"NEWSROOM_VIEWER_INTERVAL="+interval.String())
	tb.Cleanup(func() { stdin.Close() }) // a benchmark that failed first
	out := bufio.NewReader(stdout)
	if line, err := out.ReadString('\n'); err != nil || line != "ready\n" {
		tb.Fatalf("viewer process: said %q: %v", line, err)
	}
	return views{
		begin: func(page string) {
			if _, err := io.WriteString(stdin, page+"\n"); err != nil {
				tb.Errorf("viewer process: %v", err)
			}
		},
		end: func() []time.Duration {
			stdin.Close() // the child stops when its input ends
			var lat []time.Duration
			line, err := out.ReadBytes('\n')
			if err == nil {
				err = json.Unmarshal(line, &lat)
			}
			if werr := cmd.Wait(); werr != nil || err != nil {
				tb.Errorf("viewer process: %v; said %q: %v", werr, line, err)
			}
			return lat
		},
	}
}

// TestViewerProcess is the child side of startViewerProcess; run on its
// own, it does nothing. It says "ready" once warm, reads the page to
// fetch from its input, and fetches it until its input ends.
func TestViewerProcess(t *testing.T) {
	base := os.Getenv("NEWSROOM_VIEWER_BASE")
	if base == "" {
		t.Skip("run by the benchmarks, in a process of its own")
	}
	interval, err := time.ParseDuration(os.Getenv("NEWSROOM_VIEWER_INTERVAL"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	cookies, err := http.ParseCookie(os.Getenv("NEWSROOM_VIEWER_COOKIE"))
	if err != nil {
		t.Fatal(err)
	}
	client := browser(t)
	client.Jar.SetCookies(u, cookies)
	// One request first, not timed: a process just started has its
	// client's code to fault in and its connection to open, which a
	// browser that shows the editor has done already.
	resp, err := client.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	os.Stdout.WriteString("ready\n")

	in := bufio.NewReader(os.Stdin)
	page, err := in.ReadString('\n')
	if err != nil {
		os.Stdout.WriteString("[]\n") // stopped before it began
		return
	}
	stop := make(chan struct{})
	go func() {
		io.Copy(io.Discard, in)
		close(stop)
	}()
	lat := <-pageLatencies(t, client, strings.TrimSpace(page), os.Getenv("NEWSROOM_VIEWER_WANT"), interval, stop)
	line, _ := json.Marshal(lat)
	os.Stdout.Write(append(line, '\n'))
}
