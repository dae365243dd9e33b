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
	"time"

	"golang.org/x/sys/unix"
)

// servedCounter is an inbox farm as the benchmarks watch it: how many of
// its inboxes have an activity.
type servedCounter interface {
	served(activityID string) int
}

// servedWaiter is a farm that can be asked to answer once want of its
// inboxes have an activity, or wait has passed, rather than be asked
// again and again.
type servedWaiter interface {
	servedWait(activityID string, want int, wait time.Duration) int
}

// farmProcess is an inboxFarm in a process of its own: its processor time
// is then not counted as ours, and it can be given a core of its own. It
// is this test binary again, running TestInboxFarmProcess.
type farmProcess struct {
	farmHello
	client *http.Client
}

// startFarmProcess starts n inbox servers in a child process, pinned to
// cpu when cpu ≥ 0.
func startFarmProcess(tb testing.TB, n, cpu int) *farmProcess {
	tb.Helper()
	return startFarmChild(tb, n, cpu, "")
}

// startFarmChild starts a farm of n servers in a child process: plain
// loopback inbox servers (newInboxFarm) for kind "", the network farm of
// BenchmarkFanoutNetwork (newNetworkFarm, its certificate authority
// handed back) for kind "network", BenchmarkFanoutScale's servers without
// keep-alive (manyServers) for kind "many".
func startFarmChild(tb testing.TB, n, cpu int, kind string) *farmProcess {
	tb.Helper()
	cmd, stdin, stdout := startChild(tb, "TestInboxFarmProcess", "NEWSROOM_FARM_SERVERS="+strconv.Itoa(n),
		"NEWSROOM_FARM_CPU="+strconv.Itoa(cpu), "NEWSROOM_FARM_KIND="+kind)
	tb.Cleanup(func() {
		stdin.Close() // the child stops when its input ends
		cmd.Wait()
	})
	var hello farmHello
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err != nil {
		tb.Fatalf("farm process: %v", err)
	}
	if err := json.Unmarshal(line, &hello); err != nil || len(hello.Bases) != n {
		tb.Fatalf("farm process said %q: %v", line, err)
	}
	return &farmProcess{farmHello: hello, client: &http.Client{}}
}

// startChild runs test in a child process of this test binary, with env
// added to ours and its standard error ours. A child of ours stops when
// its input closes.
func startChild(tb testing.TB, test string, env ...string) (*exec.Cmd, io.WriteCloser, io.Reader) {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v=false")
	cmd.Env = append(os.Environ(), env...)
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
	return cmd, stdin, stdout
}

// farmHello is what a farm process says once its servers listen.
type farmHello struct {
	Control string   // where to ask how many inboxes have an activity
	Bases   []string // every server's base URL
	// The network farm's only: its certificate authority (DER), how many
	// of its servers end up accepting, and how many of each kind.
	CA    []byte      `json:",omitempty"`
	Live  int         `json:",omitempty"`
	Kinds map[int]int `json:",omitempty"`
}

// arrivalSummary is the network farm's networkFarm.arrivalSummary.
func (f *farmProcess) arrivalSummary(start time.Time) string {
	resp, err := f.client.Get(f.Control + "?arrivals=" + strconv.FormatInt(start.UnixNano(), 10))
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return strings.TrimSpace(string(b))
}

func (f *farmProcess) served(activityID string) int { return f.servedWait(activityID, 0, 0) }

func (f *farmProcess) servedWait(activityID string, want int, wait time.Duration) int {
	resp, err := f.client.Get(f.Control + "?id=" + url.QueryEscape(activityID) +
		"&want=" + strconv.Itoa(want) + "&wait=" + wait.String())
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
	var hello farmHello
	var farm servedCounter
	arrivals := func(time.Time) string { return "" }
	switch os.Getenv("NEWSROOM_FARM_KIND") {
	case "network":
		ips := loopbackIPs(n)
		pki := newTestPKI(t, ips)
		wan := newNetworkFarm(t, n, pki, ips)
		farm, arrivals = wan.inboxFarm, wan.arrivalSummary
		hello = farmHello{Bases: wan.bases, CA: pki.ca.Raw, Live: wan.live, Kinds: wan.kinds}
	case "many":
		many := &inboxFarm{got: make(map[string]map[string]int), inboxes: make(map[string]int)}
		farm, hello.Bases = many, manyServers(t, n, many)
	default:
		loop := newInboxFarm(t, n)
		farm = loop
		for _, srv := range loop.servers {
			hello.Bases = append(hello.Bases, srv.URL)
		}
	}
	control := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if at := r.URL.Query().Get("arrivals"); at != "" {
			ns, _ := strconv.ParseInt(at, 10, 64)
			fmt.Fprintln(w, arrivals(time.Unix(0, ns)))
			return
		}
		// Asked to wait, the farm watches its own count, on its own
		// processor, and answers once it is reached.
		id := r.URL.Query().Get("id")
		want, _ := strconv.Atoi(r.URL.Query().Get("want"))
		wait, _ := time.ParseDuration(r.URL.Query().Get("wait"))
		deadline := time.Now().Add(wait)
		n := farm.served(id)
		for n < want && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
			n = farm.served(id)
		}
		fmt.Fprintln(w, n)
	}))
	defer control.Close()
	hello.Control = control.URL
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
