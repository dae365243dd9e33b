package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// kernelCounts is what the kernel did for this process during a
// benchmark's measured part: the signature runs slower in place than
// alone, and system calls, wake-ups and interrupts on its processor are
// the suspects. Context switches come from getrusage; with
// NEWSROOM_BENCH_PERF naming perf events (perf stat -e), perf counts
// them for this process; with a processor given, the interrupts it took
// are read from /proc/interrupts.
type kernelCounts struct {
	cpu    int
	gcs    uint64
	ru     syscall.Rusage
	irqs   map[string]int64
	perf   *exec.Cmd
	output string
}

// countKernel starts counting; cpu < 0 leaves out the interrupts.
func countKernel(tb testing.TB, cpu int) *kernelCounts {
	k := &kernelCounts{cpu: cpu}
	if events := os.Getenv("NEWSROOM_BENCH_PERF"); events != "" {
		f, err := os.CreateTemp("", "perf-stat-*.csv")
		if err != nil {
			tb.Fatal(err)
		}
		f.Close()
		k.output = f.Name()
		k.perf = exec.Command("perf", "stat", "-x", ",", "-e", events, "-p", strconv.Itoa(os.Getpid()), "-o", k.output)
		if err := k.perf.Start(); err != nil {
			tb.Fatalf("perf stat: %v", err)
		}
		time.Sleep(300 * time.Millisecond) // perf attaches to every thread first
	}
	if cpu >= 0 {
		k.irqs = interrupts(cpu)
	}
	k.gcs = gcCycles()
	syscall.Getrusage(syscall.RUSAGE_SELF, &k.ru)
	return k
}

// report logs what was counted since countKernel, per operation.
func (k *kernelCounts) report(tb testing.TB, ops int) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	per := func(n int64) string { return strconv.FormatFloat(float64(n)/float64(ops), 'f', 3, 64) }
	lines := []string{fmt.Sprintf("voluntary context switches %s, involuntary %s; collections %s",
		per(ru.Nvcsw-k.ru.Nvcsw), per(ru.Nivcsw-k.ru.Nivcsw), per(int64(gcCycles()-k.gcs)))}
	if k.irqs != nil {
		after := interrupts(k.cpu)
		var names []string
		for name, n := range after {
			if n-k.irqs[name] > 0 {
				names = append(names, name)
			}
		}
		slices.SortFunc(names, func(a, b string) int { return int((after[b] - k.irqs[b]) - (after[a] - k.irqs[a])) })
		var parts []string
		for _, name := range names {
			parts = append(parts, name+" "+per(after[name]-k.irqs[name]))
		}
		lines = append(lines, fmt.Sprintf("interrupts on processor %d: %s", k.cpu, strings.Join(parts, ", ")))
	}
	if k.perf != nil {
		k.perf.Process.Signal(os.Interrupt)
		k.perf.Wait()
		out, err := os.ReadFile(k.output)
		os.Remove(k.output)
		if err != nil {
			tb.Fatal(err)
		}
		// CSV: count,unit,event,…
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			f := strings.Split(sc.Text(), ",")
			if len(f) < 3 {
				continue
			}
			n, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				continue
			}
			lines = append(lines, fmt.Sprintf("%s %s", f[2], per(n)))
		}
	}
	tb.Logf("per operation, %d operations: %s", ops, strings.Join(lines, "; "))
}

// gcCycles is how many collections this process has completed.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// interrupts reads the count of each interrupt on processor cpu.
func interrupts(cpu int) map[string]int64 {
	b, err := os.ReadFile("/proc/interrupts")
	if err != nil {
		return nil
	}
	lines := strings.Split(string(b), "\n")
	counts := make(map[string]int64)
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) < cpu+2 {
			continue
		}
		n, err := strconv.ParseInt(f[cpu+1], 10, 64)
		if err != nil {
			continue
		}
		counts[strings.TrimSuffix(f[0], ":")] = n
	}
	return counts
}
