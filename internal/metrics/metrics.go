// Package metrics owns newsroom's figures for Prometheus: counters and
// histograms by label, and the Go runtime's and the process's figures,
// written in Prometheus's text format.
//
// It is written here rather than with the Prometheus client library:
// newsroom needs two kinds of series and a text page, and the library
// links and initialises some thirty packages (protobuf among them) in
// every process, about 2 MB of resident memory at idle
// (docs/benchmarks.md, "Idle memory").
package metrics

import (
	"net/http"
	"time"
)

// Metrics holds every series newsroom records.
type Metrics struct {
	HTTPRequests *CounterVec   // route, method, status
	HTTPDuration *HistogramVec // route
	Jobs         *CounterVec   // kind, outcome
	JobDuration  *HistogramVec // kind
	started      time.Time
}

// DefBuckets are the library's default histogram buckets, in seconds,
// kept for the job durations so that existing dashboards still match.
var DefBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// New makes the series, all empty.
func New() *Metrics {
	return &Metrics{
		HTTPRequests: NewCounterVec("newsroom_http_requests_total",
			"HTTP requests by route pattern, method and status code.",
			"route", "method", "status"),
		HTTPDuration: NewHistogramVec("newsroom_http_request_duration_seconds",
			"HTTP request duration by route pattern.",
			[]float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
			"route"),
		Jobs: NewCounterVec("newsroom_jobs_total",
			"Background jobs worked, by kind and outcome (completed, failed, cancelled, snoozed).",
			"kind", "outcome"),
		JobDuration: NewHistogramVec("newsroom_job_duration_seconds",
			"Time spent working background jobs, by kind.",
			DefBuckets, "kind"),
		started: time.Now(),
	}
}

// Handler serves every series in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		e := &encoder{}
		m.HTTPRequests.write(e)
		m.HTTPDuration.write(e)
		m.Jobs.write(e)
		m.JobDuration.write(e)
		writeRuntime(e)
		writeProcess(e, m.started)
		w.Write(e.buf) //nolint:errcheck // the scraper went away
	})
}
