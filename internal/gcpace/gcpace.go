// Package gcpace spaces the garbage collector's cycles out while the
// process allocates fast, and returns to the usual pace, and to the usual
// memory, once it has calmed down. While the process allocates next to
// nothing it does the opposite: a tighter pace, so that an idle server
// holds little more than its live heap.
//
// A cached public response costs about 4.6 KB of garbage, most of it
// net/http's (the request, its header, the response header's copy). With
// the live heap at 3 MB, GOGC=100 starts a cycle every 600–1,000
// requests, and on one core a cycle's marking holds the processor for
// milliseconds while every in-flight request waits: with 64 connections,
// several percent of the requests wait behind a cycle, which is the
// 99th percentile's latency. Raising GOGC for good would raise the idle
// heap by the same factor; raising it only while the allocation rate says
// the process is busy leaves idle memory as it was.
//
// An idle server still allocates: River polls its queues on SQLite a few
// times a second, about 250 KB/s of garbage. At GOGC=100 the heap grows
// to twice the live heap (2.5 MB live, 5–6 MB of spans) between cycles
// that come every ten seconds, and those pages stay resident. At a low
// GOGC while idle a cycle comes every few seconds, each two or three
// milliseconds of one core, and the heap stays near what is live.
package gcpace

import (
	"context"
	"log/slog"
	"math"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Pacer switches the collector between its usual settings and busy ones
// by the rate at which the process allocates.
type Pacer struct {
	// Busy is the allocation rate, in bytes per second, from which the
	// process counts as busy.
	Busy uint64
	// CalmFor is how long the rate must stay under a quarter of Busy
	// before the usual settings return: a burst's pauses do not flap
	// the settings.
	CalmFor time.Duration
	// Percent is GOGC while busy.
	Percent int
	// Limit is the process's soft memory limit while busy
	// (debug.SetMemoryLimit), so that Percent cannot take memory without
	// bound. Busy settings apply only while the usual pace would keep
	// the process under it; a lower limit already set (GOMEMLIMIT)
	// counts instead.
	Limit int64
	// Idle is the allocation rate, in bytes per second, under which the
	// process counts as idle once it has stayed under it for IdleFor.
	// Zero leaves the collector at its usual pace when idle.
	Idle    uint64
	IdleFor time.Duration
	// IdlePercent is GOGC while idle. It applies only when lower than
	// the usual GOGC.
	IdlePercent int
	// Log, when set, is told every change of settings at debug level:
	// what the pacer did during a run can then be read back.
	Log *slog.Logger

	usualPercent int
	usualLimit   int64
	busy         bool // allocating fast, or not calm for long enough
	paced        bool // the busy settings are in force
	calmSince    time.Time
	idle         bool // the idle settings are in force
	quietSince   time.Time
	lastAllocs   uint64
	lastTime     time.Time
}

// New returns a Pacer with the settings newsroom uses: busy from 16 MB
// a second (about 3,500 cached responses a second), GOGC=800 with the
// heap under 64 MiB while busy, back after 30 calm seconds: a burst of
// fetches after a post comes in waves, and the busy heap is small.
//
// Idle under 1 MB a second (four times River's polling; a few requests
// a second stay under it) for 3 s, at GOGC=25. Going idle costs one
// forced collection and going back costs nothing, and the first sample
// over the rate puts the usual pace back: a short wait is enough.
func New() *Pacer {
	return &Pacer{Busy: 16 << 20, CalmFor: 30 * time.Second, Percent: 800, Limit: 64 << 20,
		Idle: 1 << 20, IdleFor: 3 * time.Second, IdlePercent: 25}
}

// Run samples the allocation rate every interval until ctx ends, then
// puts the usual settings back.
func (p *Pacer) Run(ctx context.Context, interval time.Duration) {
	p.start(time.Now())
	defer p.wake()
	defer p.calm()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			allocs, f := sample()
			p.Observe(allocs, f, now)
		}
	}
}

// start records the settings in force, the ones to return to.
func (p *Pacer) start(now time.Time) {
	p.usualPercent = currentPercent()
	p.usualLimit = debug.SetMemoryLimit(-1)
	p.lastAllocs, _ = sample()
	p.lastTime = now
}

// Footprint is what the collector's usual pace is worked out from.
type Footprint struct {
	Live    uint64 // heap the last cycle found live
	Stacks  uint64 // goroutine stacks the collector scans
	Globals uint64 // package variables the collector scans
	// Other is the memory a limit counts besides the heap's objects and
	// free room: stacks' spans, the runtime's metadata. A fan-out's
	// thousand goroutines make it tens of megabytes.
	Other uint64
}

// usual is the memory the process takes at the usual GOGC: the heap
// goal the runtime works out for it (live, plus GOGC percent of all it
// scans), and the rest.
func (f Footprint) usual(percent int) int64 {
	goal := f.Live + (f.Live+f.Stacks+f.Globals)/100*uint64(percent)
	return int64(goal + f.Other)
}

// Observe takes the total of bytes allocated so far and the process's
// footprint at now, and changes the settings when the rate since the
// last observation calls for it.
func (p *Pacer) Observe(allocs uint64, f Footprint, now time.Time) {
	if p.lastTime.IsZero() {
		p.start(now)
		p.lastAllocs = allocs
		return
	}
	elapsed := now.Sub(p.lastTime).Seconds()
	if elapsed <= 0 {
		return
	}
	rate := float64(allocs-p.lastAllocs) / elapsed
	since := p.lastTime
	p.lastAllocs, p.lastTime = allocs, now
	if rate >= float64(p.Idle) {
		p.quietSince = time.Time{}
		p.wake()
	}
	if rate >= float64(p.Busy) || (p.busy && rate >= float64(p.Busy)/4) {
		p.busy, p.calmSince = true, time.Time{}
		p.hurry(f)
		return
	}
	if !p.busy {
		if rate < float64(p.Idle) {
			p.rest(since, now)
		}
		return
	}
	if p.calmSince.IsZero() {
		p.calmSince = now
	}
	if now.Sub(p.calmSince) >= p.CalmFor {
		p.calm()
		return
	}
	p.hurry(f)
}

// hurry puts the busy settings in force while the footprint is small,
// and the usual ones while it is not. A GOGC of "off" (usualPercent
// below zero) is left alone: whoever set it wants no cycles at all.
//
// Pacing is for a small heap, whose cycles come every few hundred
// requests: with a footprint the usual pace would take beyond the limit
// (an eighth more for the time between two observations), the limit
// would make the collector run more often than usual, not less, and a
// large fan-out, whose goroutines' stacks count in the limit and not in
// the heap's goal, ran slower and took more memory than at the usual
// pace.
func (p *Pacer) hurry(f Footprint) {
	if p.usualPercent < 0 || p.usualPercent >= p.Percent {
		return
	}
	usual, limit := f.usual(p.usualPercent), min(p.Limit, p.usualLimit)
	if usual+usual/8 > limit {
		p.unpace("footprint", usual)
		return
	}
	if !p.paced {
		p.paced = true
		debug.SetMemoryLimit(limit)
		debug.SetGCPercent(p.Percent)
		p.debug("collector paced", "gogc", p.Percent, "limit", limit, "usual_footprint", usual)
	}
}

// unpace puts the usual settings back, for the reason given.
func (p *Pacer) unpace(reason string, usual int64) {
	if !p.paced {
		return
	}
	p.paced = false
	debug.SetGCPercent(p.usualPercent)
	debug.SetMemoryLimit(p.usualLimit)
	p.debug("collector at its usual pace", "reason", reason, "gogc", p.usualPercent, "usual_footprint", usual)
}

func (p *Pacer) debug(msg string, args ...any) {
	if p.Log != nil {
		p.Log.Debug(msg, args...)
	}
}

// calm ends a busy spell: the usual settings back, and the busy heap's
// memory returned to the system at once, rather than over the
// scavenger's minutes.
func (p *Pacer) calm() {
	if !p.busy {
		return
	}
	p.busy = false
	p.calmSince = time.Time{}
	if p.paced {
		p.unpace("calm", 0)
		debug.FreeOSMemory()
	}
}

// rest puts the idle settings in force once the rate has stayed under
// Idle for IdleFor, and returns the heap's free pages to the system
// then: they were taken at the usual pace, and the scavenger would give
// them back only over minutes. A GOGC of "off", or one already at or
// under IdlePercent, is left alone. The rate observed at now is the
// rate since the observation before: a quiet spell starts there.
func (p *Pacer) rest(since, now time.Time) {
	if p.Idle == 0 || p.idle {
		return
	}
	if p.quietSince.IsZero() {
		p.quietSince = since
	}
	if now.Sub(p.quietSince) < p.IdleFor || p.usualPercent < 0 || p.usualPercent <= p.IdlePercent {
		return
	}
	p.idle = true
	debug.SetGCPercent(p.IdlePercent)
	debug.FreeOSMemory()
	p.debug("collector at its idle pace", "gogc", p.IdlePercent)
}

// wake ends an idle spell: the usual GOGC back.
func (p *Pacer) wake() {
	if !p.idle {
		return
	}
	p.idle = false
	debug.SetGCPercent(p.usualPercent)
	p.debug("collector at its usual pace", "reason", "awake", "gogc", p.usualPercent)
}

// sample reads, in one call to the runtime, the total of bytes the heap
// has allocated since the process started and the process's Footprint.
func sample() (allocs uint64, f Footprint) {
	s := []metrics.Sample{
		{Name: "/gc/heap/allocs:bytes"},
		{Name: "/gc/heap/live:bytes"},
		{Name: "/gc/scan/stack:bytes"},
		{Name: "/gc/scan/globals:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/heap/free:bytes"},
	}
	metrics.Read(s)
	v := func(i int) uint64 { return s[i].Value.Uint64() }
	heap := v(5) + v(6) + v(7) + v(8)
	f = Footprint{Live: v(1), Stacks: v(2), Globals: v(3)}
	if total := v(4); total > heap {
		f.Other = total - heap
	}
	return v(0), f
}

// currentPercent is GOGC as in force, -1 when it is off.
func currentPercent() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	v := s[0].Value.Uint64()
	if v > math.MaxInt32 { // off: -1 read as unsigned
		return -1
	}
	return int(v)
}
