package metrics

import (
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Counter is a count that only goes up.
type Counter struct{ n atomic.Uint64 }

// Inc adds one.
func (c *Counter) Inc() { c.n.Add(1) }

// Value is the count so far.
func (c *Counter) Value() uint64 { return c.n.Load() }

// Histogram counts observations in buckets, with their sum.
type Histogram struct {
	upper  []float64       // bucket upper bounds, ascending; +Inf is implied
	counts []atomic.Uint64 // per bucket, not cumulative; the last is +Inf
	sum    atomic.Uint64   // float64 bits
}

// Observe records one value.
func (h *Histogram) Observe(v float64) {
	i, _ := slices.BinarySearch(h.upper, v) // the first bound ≥ v
	h.counts[i].Add(1)
	for {
		old := h.sum.Load()
		if h.sum.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// vec holds the series of one metric, one per combination of label
// values, created on first use and kept for the life of the process:
// callers label with bounded values (route patterns, job kinds).
type vec[S any] struct {
	name, help, kind string
	labels           []string // as callers give their values
	sorted           []string // as the page lists them, by name, as the client library does
	order            []int    // sorted[i] is labels[order[i]]
	newSeries        func() *S
	mu               sync.RWMutex
	series           map[string]*S
	values           map[string][]string
}

func newVec[S any](name, help, kind string, labels []string, newSeries func() *S) vec[S] {
	order := make([]int, len(labels))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(labels[a], labels[b]) })
	sorted := make([]string, len(labels))
	for i, j := range order {
		sorted[i] = labels[j]
	}
	return vec[S]{name: name, help: help, kind: kind, labels: labels, sorted: sorted, order: order,
		newSeries: newSeries, series: map[string]*S{}, values: map[string][]string{}}
}

// with is the series of these label values, in the order of the labels.
func (v *vec[S]) with(values []string) *S {
	if len(values) != len(v.labels) {
		panic("metrics: " + v.name + " takes labels " + strings.Join(v.labels, ", "))
	}
	key := strings.Join(values, "\xff")
	v.mu.RLock()
	s := v.series[key]
	v.mu.RUnlock()
	if s != nil {
		return s
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if s = v.series[key]; s == nil {
		s = v.newSeries()
		v.series[key] = s
		listed := make([]string, len(values))
		for i, j := range v.order {
			listed[i] = values[j]
		}
		v.values[key] = listed
	}
	return s
}

// each calls fn for every series, with its values in the order of
// v.sorted, ordered by label values so that successive scrapes list them
// alike.
func (v *vec[S]) each(fn func(values []string, s *S)) {
	v.mu.RLock()
	keys := make([]string, 0, len(v.series))
	for k := range v.series {
		keys = append(keys, k)
	}
	v.mu.RUnlock()
	slices.Sort(keys)
	for _, k := range keys {
		v.mu.RLock()
		s, values := v.series[k], v.values[k]
		v.mu.RUnlock()
		fn(values, s)
	}
}

// CounterVec is a counter per combination of label values.
type CounterVec struct{ vec[Counter] }

// NewCounterVec makes a counter family with these labels.
func NewCounterVec(name, help string, labels ...string) *CounterVec {
	return &CounterVec{newVec(name, help, "counter", labels, func() *Counter { return &Counter{} })}
}

// WithLabelValues is the counter of these values, given in the order of
// the labels.
func (v *CounterVec) WithLabelValues(values ...string) *Counter { return v.with(values) }

func (v *CounterVec) write(e *encoder) {
	e.header(v.name, v.help, v.kind)
	v.each(func(values []string, c *Counter) {
		e.sample(v.name, v.sorted, values, "", "", float64(c.Value()))
	})
}

// HistogramVec is a histogram per combination of label values, all with
// the same buckets.
type HistogramVec struct {
	vec[Histogram]
	upper []float64
}

// NewHistogramVec makes a histogram family with these bucket upper
// bounds (ascending) and labels.
func NewHistogramVec(name, help string, buckets []float64, labels ...string) *HistogramVec {
	upper := slices.Clone(buckets)
	if !slices.IsSorted(upper) {
		panic("metrics: " + name + ": buckets not ascending")
	}
	return &HistogramVec{upper: upper, vec: newVec(name, help, "histogram", labels, func() *Histogram {
		return &Histogram{upper: upper, counts: make([]atomic.Uint64, len(upper)+1)}
	})}
}

// WithLabelValues is the histogram of these values, given in the order
// of the labels.
func (v *HistogramVec) WithLabelValues(values ...string) *Histogram { return v.with(values) }

func (v *HistogramVec) write(e *encoder) {
	e.header(v.name, v.help, v.kind)
	v.each(func(values []string, h *Histogram) {
		// Read the counts once: a bucket written meanwhile shows in the
		// next scrape, and _count always equals the +Inf bucket.
		var cumulative uint64
		for i, upper := range v.upper {
			cumulative += h.counts[i].Load()
			e.sample(v.name+"_bucket", v.sorted, values, "le", formatFloat(upper), float64(cumulative))
		}
		cumulative += h.counts[len(v.upper)].Load()
		e.sample(v.name+"_bucket", v.sorted, values, "le", "+Inf", float64(cumulative))
		e.sample(v.name+"_sum", v.sorted, values, "", "", math.Float64frombits(h.sum.Load()))
		e.sample(v.name+"_count", v.sorted, values, "", "", float64(cumulative))
	})
}
