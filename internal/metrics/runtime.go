package metrics

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// writeRuntime writes the Go runtime's figures under the names the
// Prometheus client library gives them, so that existing dashboards keep
// working. ReadMemStats stops the world for a few microseconds, once a
// scrape.
func writeRuntime(e *encoder) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	threads, _ := runtime.ThreadCreateProfile(nil)
	e.single("go_goroutines", "Number of goroutines that currently exist.", "gauge", float64(runtime.NumGoroutine()))
	e.single("go_threads", "Number of OS threads created.", "gauge", float64(threads))
	e.single("go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting.", "gauge", float64(runtime.GOMAXPROCS(0)))
	e.header("go_info", "Information about the Go environment.", "gauge")
	e.sample("go_info", []string{"version"}, []string{runtime.Version()}, "", "", 1)
	e.header("go_gc_duration_seconds", "Time the garbage collector stopped the program, and the number of collections.", "summary")
	e.sample("go_gc_duration_seconds_sum", nil, nil, "", "", float64(ms.PauseTotalNs)/1e9)
	e.sample("go_gc_duration_seconds_count", nil, nil, "", "", float64(ms.NumGC))
	for _, s := range []struct {
		name, help, kind string
		v                uint64
	}{
		{"go_memstats_alloc_bytes", "Bytes of allocated heap objects.", "gauge", ms.HeapAlloc},
		{"go_memstats_alloc_bytes_total", "Bytes allocated for heap objects, freed or not.", "counter", ms.TotalAlloc},
		{"go_memstats_sys_bytes", "Bytes of memory obtained from the OS.", "gauge", ms.Sys},
		{"go_memstats_mallocs_total", "Heap objects allocated.", "counter", ms.Mallocs},
		{"go_memstats_frees_total", "Heap objects freed.", "counter", ms.Frees},
		{"go_memstats_heap_objects", "Allocated heap objects.", "gauge", ms.HeapObjects},
		{"go_memstats_heap_inuse_bytes", "Bytes in in-use heap spans.", "gauge", ms.HeapInuse},
		{"go_memstats_heap_idle_bytes", "Bytes in idle (unused) heap spans.", "gauge", ms.HeapIdle},
		{"go_memstats_heap_released_bytes", "Bytes of idle heap spans returned to the OS.", "gauge", ms.HeapReleased},
		{"go_memstats_stack_inuse_bytes", "Bytes in stack spans.", "gauge", ms.StackInuse},
		{"go_memstats_next_gc_bytes", "Heap size the next collection aims for.", "gauge", ms.NextGC},
	} {
		e.single(s.name, s.help, s.kind, float64(s.v))
	}
	e.single("go_memstats_last_gc_time_seconds", "Time of the last collection, in seconds since 1970.", "gauge", float64(ms.LastGC)/1e9)
}

// writeProcess writes the process's figures, as the client library's
// process collector names them. Those read from /proc are left out where
// there is no /proc.
func writeProcess(e *encoder, started time.Time) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		e.single("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter", cpu.Seconds())
	}
	if statm, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := bytes.Fields(statm); len(f) >= 2 {
			page := float64(os.Getpagesize())
			vsize, _ := strconv.ParseFloat(string(f[0]), 64)
			rss, _ := strconv.ParseFloat(string(f[1]), 64)
			e.single("process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge", vsize*page)
			e.single("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge", rss*page)
		}
	}
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		e.single("process_open_fds", "Number of open file descriptors.", "gauge", float64(len(fds)))
	}
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		e.single("process_max_fds", "Maximum number of open file descriptors.", "gauge", float64(lim.Cur))
	}
	e.single("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge",
		float64(started.UnixNano())/1e9)
}
