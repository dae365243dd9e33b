package gcpace

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// settings restores the collector's settings after a test changed them.
func settings(t *testing.T) (percent int, limit int64) {
	t.Helper()
	percent, limit = currentPercent(), debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
	return percent, limit
}

func TestObserveSwitchesByRate(t *testing.T) {
	usual, usualLimit := settings(t)
	p := &Pacer{Busy: 10 << 20, CalmFor: 3 * time.Second, Percent: usual * 4, Limit: 32 << 20}
	t0 := time.Unix(1000, 0)
	var total uint64 = 1 << 30
	p.Observe(total, Footprint{Live: 4 << 20}, t0)
	step := func(sec int, bytes uint64) {
		total += bytes
		p.Observe(total, Footprint{Live: 4 << 20}, t0.Add(time.Duration(sec)*time.Second))
	}
	step(1, 5<<20) // under Busy
	if got := currentPercent(); got != usual {
		t.Fatalf("GOGC %d after a slow second, want %d", got, usual)
	}
	step(2, 20<<20)
	if got := currentPercent(); got != usual*4 {
		t.Fatalf("GOGC %d after a busy second, want %d", got, usual*4)
	}
	if got := debug.SetMemoryLimit(-1); got != min(usualLimit, 32<<20) {
		t.Fatalf("memory limit %d while busy, want %d", got, min(usualLimit, 32<<20))
	}
	// A quarter of Busy or more keeps it busy; the calm must last CalmFor.
	step(3, 4<<20)
	step(4, 1<<20)
	step(5, 1<<20)
	step(6, 1<<20)
	if got := currentPercent(); got != usual*4 {
		t.Fatalf("GOGC %d two calm seconds in, want still %d", got, usual*4)
	}
	step(7, 0)
	if got := currentPercent(); got != usual {
		t.Fatalf("GOGC %d after three calm seconds, want %d again", got, usual)
	}
	if got := debug.SetMemoryLimit(-1); got != usualLimit {
		t.Fatalf("memory limit %d after the calm, want %d again", got, usualLimit)
	}
}

func TestObserveLeavesGOGCOffAlone(t *testing.T) {
	settings(t)
	debug.SetGCPercent(-1)
	p := &Pacer{Busy: 1 << 20, CalmFor: time.Second, Percent: 800, Limit: 32 << 20}
	t0 := time.Unix(1000, 0)
	p.Observe(0, Footprint{Live: 4 << 20}, t0)
	p.Observe(100<<20, Footprint{Live: 4 << 20}, t0.Add(time.Second))
	if got := currentPercent(); got != -1 {
		t.Fatalf("GOGC %d, want off as set", got)
	}
}

// A large live heap (uploads being decoded) keeps at least the goal the
// usual GOGC gives it: a limit under it would make cycles more frequent.
func TestBusySettingsOnlyForASmallFootprint(t *testing.T) {
	usual, usualLimit := settings(t)
	if usualLimit < 1<<30 {
		t.Skipf("GOMEMLIMIT %d set for the tests", usualLimit)
	}
	var logs bytes.Buffer
	p := &Pacer{Busy: 10 << 20, CalmFor: 3 * time.Second, Percent: usual * 8, Limit: 64 << 20,
		Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	t0 := time.Unix(1000, 0)
	small := Footprint{Live: 4 << 20, Stacks: 1 << 20, Other: 4 << 20}
	p.Observe(0, small, t0)
	p.Observe(20<<20, small, t0.Add(time.Second))
	if percent, limit := settings(t); percent != usual*8 || limit != 64<<20 {
		t.Fatalf("GOGC %d, limit %d with a small footprint; want %d under %d", percent, limit, usual*8, 64<<20)
	}
	// A fan-out: a heap live of 20 MB, but a thousand goroutines whose
	// stacks count in the limit (Other) and in what the collector scans:
	// the usual pace takes more than the limit.
	large := Footprint{Live: 20 << 20, Stacks: 10 << 20, Globals: 1 << 20, Other: 40 << 20}
	p.Observe(40<<20, large, t0.Add(2*time.Second))
	if percent, limit := settings(t); percent != usual || limit != usualLimit {
		t.Fatalf("GOGC %d, limit %d with a large footprint; want the usual %d, %d", percent, limit, usual, usualLimit)
	}
	// Small again while still busy: paced again.
	p.Observe(60<<20, small, t0.Add(3*time.Second))
	if percent, limit := settings(t); percent != usual*8 || limit != 64<<20 {
		t.Fatalf("GOGC %d, limit %d once the footprint is small again", percent, limit)
	}
	p.calm()
	if percent, limit := settings(t); percent != usual || limit != usualLimit {
		t.Fatalf("GOGC %d, limit %d after calm", percent, limit)
	}
	// Each change is logged, with its reason: a run's decisions can be
	// read back from the log.
	var got []string
	for _, m := range regexp.MustCompile(`msg="([^"]+)"(?:.* reason=(\w+))?`).FindAllStringSubmatch(logs.String(), -1) {
		got = append(got, strings.TrimSpace(m[1]+" "+m[2]))
	}
	want := []string{"collector paced", "collector at its usual pace footprint", "collector paced", "collector at its usual pace calm"}
	if !slices.Equal(got, want) {
		t.Fatalf("logged %q, want %q:\n%s", got, want, logs.String())
	}
}

// forcedCycles is how many collections the program forced so far.
func forcedCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/forced:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func TestObserveIdlePace(t *testing.T) {
	usual, usualLimit := settings(t)
	if usual < 8 {
		t.Skipf("GOGC %d set for the tests", usual)
	}
	idle := usual / 4
	var logs bytes.Buffer
	p := &Pacer{Busy: 16 << 20, CalmFor: 3 * time.Second, Percent: usual * 8, Limit: 64 << 20,
		Idle: 1 << 20, IdleFor: 3 * time.Second, IdlePercent: idle,
		Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	t0 := time.Unix(1000, 0)
	var total uint64 = 1 << 30
	small := Footprint{Live: 4 << 20}
	p.Observe(total, small, t0)
	sec := 0
	step := func(bytes uint64) {
		sec++
		total += bytes
		p.Observe(total, small, t0.Add(time.Duration(sec)*time.Second))
	}
	want := func(what string, percent int) {
		t.Helper()
		if got := currentPercent(); got != percent {
			t.Fatalf("GOGC %d %s, want %d", got, what, percent)
		}
		if got := debug.SetMemoryLimit(-1); got != usualLimit && percent != usual*8 {
			t.Fatalf("memory limit %d %s, want %d as set", got, what, usualLimit)
		}
	}
	// Quiet from the first second: idle once IdleFor has passed, with
	// the free pages returned by a forced collection, once.
	step(256 << 10)
	step(256 << 10)
	want("after two quiet seconds", usual)
	forced := forcedCycles()
	step(256 << 10)
	want("after three quiet seconds", idle)
	if got := forcedCycles(); got != forced+1 {
		t.Fatalf("%d collections forced going idle, want 1", got-forced)
	}
	step(0)
	step(0)
	if got := forcedCycles(); got != forced+1 {
		t.Fatalf("%d collections forced while idle, want 1 going idle only", got-forced)
	}
	// A few requests: awake at once.
	step(2 << 20)
	want("after a second over Idle", usual)
	step(256 << 10)
	step(2 << 20)
	step(256 << 10)
	step(256 << 10)
	want("quiet again for two seconds only", usual)
	// Busy straight from idle: the busy pace, and idle again only after
	// the calm and IdleFor more.
	step(256 << 10)
	want("quiet again for three seconds", idle)
	step(32 << 20)
	want("busy", usual*8)
	for range 4 {
		step(0)
	}
	want("calm for three seconds", usual)
	for range 2 {
		step(0)
	}
	want("calm, then quiet for two seconds", usual)
	step(0)
	want("calm, then quiet for three seconds", idle)

	var got []string
	for _, m := range regexp.MustCompile(`msg="([^"]+)"(?:.* reason=(\w+))?`).FindAllStringSubmatch(logs.String(), -1) {
		got = append(got, strings.TrimSpace(m[1]+" "+m[2]))
	}
	wantLog := []string{"collector at its idle pace", "collector at its usual pace awake",
		"collector at its idle pace", "collector at its usual pace awake", "collector paced",
		"collector at its usual pace calm", "collector at its idle pace"}
	if !slices.Equal(got, wantLog) {
		t.Fatalf("logged %q, want %q:\n%s", got, wantLog, logs.String())
	}
}

// An operator's GOGC at or under the idle one, or off, stays as set.
func TestObserveIdleLeavesALowGOGCAlone(t *testing.T) {
	settings(t)
	for _, percent := range []int{-1, 10, 25} {
		debug.SetGCPercent(percent)
		p := &Pacer{Busy: 16 << 20, CalmFor: time.Second, Percent: 800, Limit: 64 << 20,
			Idle: 1 << 20, IdleFor: time.Second, IdlePercent: 25}
		t0 := time.Unix(1000, 0)
		for sec := range 5 {
			p.Observe(0, Footprint{Live: 4 << 20}, t0.Add(time.Duration(sec)*time.Second))
		}
		if got := currentPercent(); got != percent {
			t.Fatalf("GOGC %d after idle seconds, want %d as set", got, percent)
		}
	}
}

// TestRunEndsIdle: the usual pace is back once Run returns.
func TestRunEndsIdle(t *testing.T) {
	usual, _ := settings(t)
	if usual < 2 {
		t.Skipf("GOGC %d set for the tests", usual)
	}
	// Everything this test process does counts as idle.
	p := &Pacer{Busy: 1 << 40, CalmFor: time.Second, Percent: usual * 4, Limit: 256 << 20,
		Idle: 1 << 40, IdleFor: 50 * time.Millisecond, IdlePercent: usual / 2}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx, 10*time.Millisecond) }()
	waitFor(t, "idle settings", func() bool { return currentPercent() == usual/2 })
	cancel()
	<-done
	if got := currentPercent(); got != usual {
		t.Fatalf("GOGC %d after Run, want %d", got, usual)
	}
}

var sink atomic.Pointer[[]byte]

// TestRunFollowsRealAllocation drives the pacer with the process's own
// allocation: busy while a goroutine allocates fast, usual again once it
// stops.
func TestRunFollowsRealAllocation(t *testing.T) {
	usual, _ := settings(t)
	p := &Pacer{Busy: 8 << 20, CalmFor: 200 * time.Millisecond, Percent: usual * 4, Limit: 256 << 20}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx, 20*time.Millisecond) }()
	defer func() { cancel(); <-done }()

	stop := make(chan struct{})
	allocating := make(chan struct{})
	go func() {
		defer close(allocating)
		for {
			select {
			case <-stop:
				return
			default:
			}
			b := make([]byte, 64<<10)
			sink.Store(&b)
		}
	}()
	waitFor(t, "busy settings while allocating", func() bool { return currentPercent() == usual*4 })
	close(stop)
	<-allocating
	waitFor(t, "usual settings once calm", func() bool { return currentPercent() == usual })
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 10 s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
