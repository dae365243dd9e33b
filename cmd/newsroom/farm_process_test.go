package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// servedCounter is an inbox farm as the benchmarks watch it: how many of
// its inboxes have an activity.
type servedCounter interface {
	served(activityID string) int
}

// farmProcess is an inboxFarm in a process of its own: its processor time
// is then not counted as ours, and it can be given a core of its own. It
// is this test binary again, running TestInboxFarmProcess.
type farmProcess struct {
	bases   []string
	control string
	client  *http.Client
}

// startFarmProcess starts n inbox servers in a child process, pinned to
// cpu when cpu ≥ 0.
func startFarmProcess(tb testing.TB, n, cpu int) *farmProcess {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestInboxFarmProcess$", "-test.v=false")
	cmd.Env = append(os.Environ(), "NEWSROOM_FARM_SERVERS="+strconv.Itoa(n), "NEWSROOM_FARM_CPU="+strconv.Itoa(cpu))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		stdin.Close() // the child stops when its input ends
		cmd.Wait()
	})
	var hello struct {
		Control string
		Bases   []string
	}
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err != nil {
		tb.Fatalf("farm process: %v", err)
	}
	if err := json.Unmarshal(line, &hello); err != nil || len(hello.Bases) != n {
		tb.Fatalf("farm process said %q: %v", line, err)
	}
	return &farmProcess{bases: hello.Bases, control: hello.Control, client: &http.Client{}}
}

func (f *farmProcess) served(activityID string) int {
	resp, err := f.client.Get(f.control + "?id=" + url.QueryEscape(activityID))
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

// TestInboxFarmProcess is the child side of startFarmProcess; run on its
// own, it does nothing.
func TestInboxFarmProcess(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("NEWSROOM_FARM_SERVERS"))
	if n == 0 {
		t.Skip("run by the benchmarks, in a process of its own")
	}
	if cpu, _ := strconv.Atoi(os.Getenv("NEWSROOM_FARM_CPU")); cpu >= 0 {
		pinTo(t, cpu)
	}
	farm := newInboxFarm(t, n)
	control := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, farm.served(r.URL.Query().Get("id")))
	}))
	defer control.Close()
	hello := struct {
		Control string
		Bases   []string
	}{Control: control.URL}
	for _, srv := range farm.servers {
		hello.Bases = append(hello.Bases, srv.URL)
	}
	line, _ := json.Marshal(hello)
	os.Stdout.Write(append(line, '\n'))
	io.Copy(io.Discard, os.Stdin)
}

// pinTo keeps this process's threads on one processor, and Go to one
// thread running Go code at a time.
func pinTo(tb testing.TB, cpu int) {
	tb.Helper()
	var set unix.CPUSet
	set.Set(cpu)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		tb.Skipf("pin to processor %d: %v", cpu, err)
	}
	// Threads started before the call keep their own affinity: every
	// thread of the process is pinned in turn.
	tasks, _ := os.ReadDir("/proc/self/task")
	for _, task := range tasks {
		if tid, err := strconv.Atoi(task.Name()); err == nil {
			unix.SchedSetaffinity(tid, &set)
		}
	}
	runtime.GOMAXPROCS(1)
}
