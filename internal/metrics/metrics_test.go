package metrics

import (
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape serves m's page and reads it back with Prometheus's own text
// parser, which refuses what a Prometheus server would refuse.
func scrape(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("content type %q", ct)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	families, err := p.TextToMetricFamilies(strings.NewReader(w.Body.String()))
	if err != nil {
		t.Fatalf("Prometheus cannot read the page: %v\n%s", err, w.Body.String())
	}
	return families
}

func labels(m *dto.Metric) map[string]string {
	l := map[string]string{}
	for _, p := range m.GetLabel() {
		l[p.GetName()] = p.GetValue()
	}
	return l
}

// Counters and histograms reach Prometheus with their labels, including
// values that need escaping, their type, and buckets that count every
// observation at or below their bound.
func TestPageReadsAsPrometheusText(t *testing.T) {
	m := New()
	odd := "a \"quoted\" \\ route\nwith a newline"
	for range 3 {
		m.HTTPRequests.WithLabelValues(odd, "GET", "200").Inc()
	}
	m.HTTPRequests.WithLabelValues("/healthz", "GET", "503").Inc()
	observed := []float64{0.0001, 0.0005, 0.003, 0.003, 0.2, 7}
	var sum float64
	for _, v := range observed {
		m.HTTPDuration.WithLabelValues("/orgs/:handle").Update(v)
		sum += v
	}
	m.JobDuration.WithLabelValues("fanout").Update(0.02)

	f := scrape(t, m)
	req := f["newsroom_http_requests_total"]
	if req.GetType() != dto.MetricType_COUNTER || len(req.GetMetric()) != 2 {
		t.Fatalf("requests: %v", req)
	}
	counts := map[string]float64{}
	for _, s := range req.GetMetric() {
		l := labels(s)
		counts[l["route"]+" "+l["method"]+" "+l["status"]] = s.GetCounter().GetValue()
	}
	if counts[odd+" GET 200"] != 3 || counts["/healthz GET 503"] != 1 {
		t.Errorf("counts %v", counts)
	}

	dur := f["newsroom_http_request_duration_seconds"]
	if dur.GetType() != dto.MetricType_HISTOGRAM || len(dur.GetMetric()) != 1 {
		t.Fatalf("durations: %v", dur)
	}
	h := dur.GetMetric()[0].GetHistogram()
	if h.GetSampleCount() != uint64(len(observed)) || math.Abs(h.GetSampleSum()-sum) > 1e-9 {
		t.Errorf("count %d sum %v, want %d %v", h.GetSampleCount(), h.GetSampleSum(), len(observed), sum)
	}
	if len(h.GetBucket()) != len(m.HTTPDuration.buckets)+1 { // and +Inf
		t.Errorf("%d buckets, want %d", len(h.GetBucket()), len(m.HTTPDuration.buckets)+1)
	}
	for _, b := range h.GetBucket() {
		var want uint64
		for _, v := range observed {
			if v <= b.GetUpperBound() {
				want++
			}
		}
		if b.GetCumulativeCount() != want {
			t.Errorf("bucket le=%v: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), want)
		}
	}
	if jobs := f["newsroom_job_duration_seconds"]; len(jobs.GetMetric()) != 1 || labels(jobs.GetMetric()[0])["kind"] != "fanout" {
		t.Errorf("job durations: %v", jobs)
	}
	if jobs := f["newsroom_jobs_total"]; jobs.GetType() != dto.MetricType_COUNTER || len(jobs.GetMetric()) != 0 {
		t.Errorf("jobs: %v", jobs)
	}
}

// The runtime's and the process's figures are there under the client
// library's names, and say something true of this process.
func TestRuntimeAndProcess(t *testing.T) {
	before := time.Now()
	m := New()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 20 {
		wg.Go(func() { <-stop })
	}
	f := scrape(t, m)
	close(stop)
	wg.Wait()
	value := func(name string) float64 {
		fam := f[name]
		if fam == nil || len(fam.GetMetric()) != 1 {
			t.Fatalf("%s: %v", name, fam)
		}
		s := fam.GetMetric()[0]
		return s.GetGauge().GetValue() + s.GetCounter().GetValue() + float64(s.GetSummary().GetSampleCount())
	}
	if n := value("go_goroutines"); n < 21 {
		t.Errorf("go_goroutines %v with 20 waiting", n)
	}
	if rss := value("process_resident_memory_bytes"); rss < 1<<20 || rss > value("process_virtual_memory_bytes") {
		t.Errorf("resident %v of virtual %v", rss, value("process_virtual_memory_bytes"))
	}
	if start := value("process_start_time_seconds"); math.Abs(start-float64(before.UnixNano())/1e9) > 5 {
		t.Errorf("start %v, made at %v", start, before)
	}
	for _, name := range []string{"go_memstats_alloc_bytes", "go_memstats_sys_bytes", "process_open_fds", "go_threads"} {
		if value(name) <= 0 {
			t.Errorf("%s is %v", name, value(name))
		}
	}
	if v := labels(f["go_info"].GetMetric()[0])["version"]; !strings.HasPrefix(v, "go") {
		t.Errorf("go_info version %q", v)
	}
}

// Series made and counted from many goroutines at once lose nothing
// (run with -race).
func TestConcurrentCounts(t *testing.T) {
	m := New()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 1000 {
				m.Jobs.WithLabelValues("kind", []string{"completed", "failed"}[j%2]).Inc()
				m.JobDuration.WithLabelValues("kind").Update(float64(i))
			}
		})
	}
	wg.Wait()
	if a, b := m.Jobs.WithLabelValues("kind", "completed").Get(), m.Jobs.WithLabelValues("kind", "failed").Get(); a != 4000 || b != 4000 {
		t.Errorf("completed %d failed %d, want 4000 each", a, b)
	}
	h := scrape(t, m)["newsroom_job_duration_seconds"].GetMetric()[0].GetHistogram()
	if h.GetSampleCount() != 8000 || h.GetSampleSum() != 1000*(0+1+2+3+4+5+6+7) {
		t.Errorf("count %d sum %v", h.GetSampleCount(), h.GetSampleSum())
	}
}
