package server

import (
	"crypto/rand"
	"encoding/binary"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/soga/newsroom/internal/metrics"
)

// requestIDs numbers requests from a random start, so that ids differ
// between processes and restarts. An id only correlates log lines with a
// response; it is no secret, so a counter does, and costs neither a random
// read nor a copy of the request to carry it in a context.
var requestIDs atomic.Uint64

func init() {
	var b [8]byte
	_, _ = rand.Read(b[:])
	requestIDs.Store(binary.LittleEndian.Uint64(b[:]))
}

// newRequestID returns the next id, as 16 hexadecimal digits.
func newRequestID() string {
	var b [16]byte
	n := requestIDs.Add(1)
	const digits = "0123456789abcdef"
	for i := 15; i >= 0; i-- {
		b[i] = digits[n&0xf]
		n >>= 4
	}
	return string(b[:])
}

// requestID is the id withRequestID gave the response w belongs to.
func requestID(w http.ResponseWriter) string {
	if v := w.Header()["X-Request-Id"]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// statusWriter remembers the status code for logging and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withRequestID gives each request an id, echoed in X-Request-Id, under
// which its log lines are written (requestID). An incoming id is not
// trusted: it would let clients forge log lines.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["X-Request-Id"] = []string{newRequestID()}
		next.ServeHTTP(w, r)
	})
}

// withRecovery turns a panic into a logged 500 instead of a dropped
// connection.
func withRecovery(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic in handler", "request_id", requestID(w), "path", r.URL.Path,
					"panic", v, "stack", string(debug.Stack()))
				http.Error(w, "internal server error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// instrument logs and counts one route. route is the pattern, not the
// path, so metrics keep a bounded number of series. method is the one the
// route is registered for ("" for any): the series of its successful
// answers are looked up once here rather than hashed for every request.
func instrument(log *slog.Logger, m *metrics.Metrics, route, method string, next http.Handler) http.Handler {
	var ok *metrics.Counter
	var duration *metrics.Histogram
	if m != nil {
		duration = m.HTTPDuration.WithLabelValues(route)
		if method != "" {
			ok = m.HTTPRequests.WithLabelValues(route, method, "200")
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		if m != nil {
			if ok != nil && sw.status == http.StatusOK && r.Method == method {
				ok.Inc()
			} else {
				m.HTTPRequests.WithLabelValues(route, r.Method, strconv.Itoa(sw.status)).Inc()
			}
			duration.Update(d.Seconds())
		}
		level := slog.LevelDebug
		if sw.status >= 500 {
			level = slog.LevelError
		} else if sw.status >= 400 {
			level = slog.LevelInfo
		}
		if !log.Enabled(r.Context(), level) {
			return
		}
		log.LogAttrs(r.Context(), level, "http request",
			slog.String("request_id", requestID(sw)),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("route", route),
			slog.Int("status", sw.status),
			slog.Int("bytes", sw.bytes),
			slog.Duration("duration", d))
	})
}

// contentSecurityPolicy allows nothing from any other origin: no fonts,
// scripts, frames or images from third parties, ever.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders go on every response. The values are shared by every
// response and assigned without canonicalising the names again; their
// capacity is their length, so a handler appending to one copies it.
var securityHeaders = []struct {
	name  string
	value []string
}{
	{"Content-Security-Policy", []string{contentSecurityPolicy}},
	{"X-Content-Type-Options", []string{"nosniff"}},
	{"Referrer-Policy", []string{"same-origin"}},
	{"X-Frame-Options", []string{"DENY"}},
	{"Permissions-Policy", []string{"interest-cohort=(), browsing-topics=()"}},
}

func withSecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for _, sh := range securityHeaders {
			h[sh.name] = sh.value
		}
		next.ServeHTTP(w, r)
	})
}

// withBodyLimit caps every request body at what limitFor says for it:
// routes that accept media uploads get more. A declared length over the
// cap is refused before a byte is read, by the route's own handler when
// limitFor names one: the handler sees no body, and the server closes
// the connection after its answer rather than read the rest.
func withBodyLimit(limitFor func(*http.Request) (int64, http.Handler), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r) // nothing to read, nothing to cap
			return
		}
		limit, tooLarge := limitFor(r)
		if r.ContentLength > limit {
			if tooLarge == nil {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			// A copy: the server's own request keeps its body, unread.
			unread := r.WithContext(r.Context())
			unread.Body, unread.ContentLength = http.NoBody, 0
			tooLarge.ServeHTTP(w, unread)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}
