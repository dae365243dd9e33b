// Package metrics owns newsroom's figures for Prometheus: counters and
// histograms by label, and the Go runtime's and the process's figures,
// in Prometheus's text format.
//
// They are kept by github.com/VictoriaMetrics/metrics rather than the
// Prometheus client library: it writes the same text format, and links a
// handful of packages where the client library links and initialises
// some thirty (protobuf among them), about 2 MB of resident memory at
// idle (docs/benchmarks.md, "Idle memory"). The series live on a set of
// our own, passed to whoever records, not on the library's default set.
package metrics

import (
	"net/http"
	"slices"
	"strings"

	vm "github.com/VictoriaMetrics/metrics"
)

// Counter is a count that only goes up.
type Counter = vm.Counter

// FloatCounter is a count of something measured, such as seconds, that
// only goes up.
type FloatCounter = vm.FloatCounter

// Histogram counts observations in Prometheus's cumulative buckets.
type Histogram = vm.PrometheusHistogram

// Metrics holds every series newsroom records.
type Metrics struct {
	set          *vm.Set
	HTTPRequests *CounterVec   // route, method, status
	HTTPDuration *HistogramVec // route
	Jobs         *CounterVec   // kind, outcome
	JobDuration  *HistogramVec // kind
	// Foreground counts the signed-in editor's requests that went ahead
	// of background work; Held and HeldSeconds count the steps of
	// background work (a signature, a fan-out's transaction) that waited
	// for them, and how long in all.
	Foreground  *Counter
	Held        *Counter
	HeldSeconds *FloatCounter
}

// DefBuckets are the Prometheus client's default histogram buckets, in
// seconds, kept for the job durations so that existing dashboards still
// match.
var DefBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// New makes the series, all empty.
func New() *Metrics {
	// "# TYPE" lines, so that Prometheus reads histograms as such.
	vm.ExposeMetadata(true)
	set := vm.NewSet()
	return &Metrics{
		set:          set,
		HTTPRequests: &CounterVec{newVec(set, "newsroom_http_requests_total", "route", "method", "status")},
		HTTPDuration: &HistogramVec{newVec(set, "newsroom_http_request_duration_seconds", "route"),
			[]float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}},
		Jobs:        &CounterVec{newVec(set, "newsroom_jobs_total", "kind", "outcome")},
		JobDuration: &HistogramVec{newVec(set, "newsroom_job_duration_seconds", "kind"), DefBuckets},
		Foreground:  set.NewCounter("newsroom_foreground_requests_total"),
		Held:        set.NewCounter("newsroom_background_held_total"),
		HeldSeconds: set.NewFloatCounter("newsroom_background_held_seconds_total"),
	}
}

// Handler serves every series, then the Go runtime's and the process's
// (go_*, process_*), in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		m.set.WritePrometheus(w)
		vm.WriteGoMetrics(w)
		vm.WriteProcMetrics(w)
		vm.WriteFDMetrics(w)
	})
}

// vec names the series of one metric by their label values: callers
// label with bounded values (route patterns, job kinds), and look a
// series up once where they can.
type vec struct {
	set    *vm.Set
	name   string
	labels []string // in the order callers give their values
	// order lists the labels sorted by name, as the Prometheus client
	// library writes them, so that a series keeps the name dashboards and
	// alerts know it by: labels[order[0]] comes first.
	order []int
}

func newVec(set *vm.Set, name string, labels ...string) vec {
	order := make([]int, len(labels))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(labels[a], labels[b]) })
	return vec{set: set, name: name, labels: labels, order: order}
}

// series is the name of the series with the given label values, as the
// text format writes it: name{label="value",…}.
func (v vec) series(values []string) string {
	var b strings.Builder
	b.WriteString(v.name)
	b.WriteByte('{')
	for n, i := range v.order {
		if n > 0 {
			b.WriteByte(',')
		}
		b.WriteString(v.labels[i])
		b.WriteString(`="`)
		if i < len(values) {
			b.WriteString(labelEscaper.Replace(values[i]))
		}
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// CounterVec is a counter per combination of label values.
type CounterVec struct{ vec }

// WithLabelValues is the counter of these label values, in the order of
// the labels.
func (v *CounterVec) WithLabelValues(values ...string) *Counter {
	return v.set.GetOrCreateCounter(v.series(values))
}

// HistogramVec is a histogram per combination of label values.
type HistogramVec struct {
	vec
	buckets []float64
}

// WithLabelValues is the histogram of these label values.
func (v *HistogramVec) WithLabelValues(values ...string) *Histogram {
	return v.set.GetOrCreatePrometheusHistogramExt(v.series(values), v.buckets)
}
