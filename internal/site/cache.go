package site

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// CacheOptions bound a Cache. Zero values take the defaults.
type CacheOptions struct {
	// TTL bounds how long an entry is served, should a write escape
	// invalidation (the database reports other processes' writes, see
	// Store.WatchChanges). Default 30 s.
	TTL time.Duration
	// MaxBytes bounds the bodies held. Default 64 MiB.
	MaxBytes int64
	Now      func() time.Time
}

// Cache keeps rendered public responses in memory, keyed by URL and
// representation, so that the stampede of fediverse servers fetching a new
// post, its actor and its page costs one render and one set of queries,
// then none. Every write bumps the generation (Invalidate), which empties
// the cache and keeps renders that started before the write from being
// stored.
type Cache struct {
	ttl      time.Duration
	maxBytes int64
	// blind is set while other processes' writes cannot be heard (the
	// database's change notifications are lost): entries then live
	// BlindTTL only.
	blind  atomic.Bool
	now    func() time.Time
	flight singleflight.Group

	mu      sync.RWMutex
	gen     uint64
	size    int64
	entries map[string]*entry
	// forgetSeq counts per-post invalidations, the last of which are in
	// forgets (cache_posts.go).
	forgetSeq uint64
	forgets   []forget
}

// entry is one stored response.
type entry struct {
	status int
	header http.Header // every value slice clipped, so appends elsewhere copy
	body   []byte
	etag   string
	// gz is body compressed once, for the clients that accept gzip (most
	// fediverse servers and every browser), with its own length and tag.
	gz       []byte
	gzHeader http.Header
	// plain and gzipped are the header of each encoding as a list, made
	// once the entry is complete (prepare): writing an answer is then one
	// assignment per header, without walking and overlaying two maps.
	plain, gzipped []headerField
	modified       time.Time // Last-Modified, to the second
	// varyAfter is the entry's Vary after the one value a caller set
	// before (negotiation's Accept), made at the first such answer.
	// A pointer, shared by the copies InvalidatePost makes of an entry.
	varyAfter *atomic.Pointer[varyMerge]
	gen       uint64
	stored    time.Time // when its render started
	expires   time.Time
	storable  bool
}

func (e *entry) cost() int64 { return int64(len(e.body)+len(e.gz)) + 512 }

// NewCache returns an empty cache.
func NewCache(o CacheOptions) *Cache {
	if o.TTL <= 0 {
		o.TTL = 30 * time.Second
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 64 << 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Cache{ttl: o.TTL, maxBytes: o.MaxBytes, now: o.Now, entries: make(map[string]*entry)}
}

// Invalidate forgets every stored response: Cache is the
// newsroom.Invalidator the services empty after their writes. Writes are rare next to reads,
// so dropping everything is cheaper to get right than tracking which page
// shows which post.
func (c *Cache) Invalidate() {
	c.mu.Lock()
	c.gen++
	c.size = 0
	clear(c.entries)
	c.mu.Unlock()
}

// BlindTTL is how long an entry lives while other processes' writes
// cannot be heard: a write on another instance shows within it.
const BlindTTL = 2 * time.Second

// SetBlind says whether other processes' writes can be heard. Going
// blind empties the cache, whose entries were stored for the full
// lifetime; while blind, entries live BlindTTL.
func (c *Cache) SetBlind(blind bool) {
	if c.blind.Swap(blind) != blind && blind {
		c.Invalidate()
	}
}

// Blind reports whether the cache is in its short-lifetime mode.
func (c *Cache) Blind() bool { return c.blind.Load() }

func (c *Cache) lifetime() time.Duration {
	if c.blind.Load() {
		return min(c.ttl, BlindTTL)
	}
	return c.ttl
}

// Len is the number of stored responses.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

// Wrap caches next's responses under representation, for handlers whose
// answer depends only on the URL, such as ActivityStreams documents.
func (c *Cache) Wrap(representation string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c.serve(w, r, representation, next)
	}
}

// keyParams are the query parameters any cached handler reads; others are
// left out of the key so that made-up parameters cannot fill the cache or
// push hot entries out.
var keyParams = []string{"lang", "before", "upcoming", "past"}

// appendKey appends the cache key of r under variant to dst: the variant,
// the path and the parameters of keyParams the query holds.
func appendKey(dst []byte, variant string, r *http.Request) []byte {
	dst = append(dst, variant...)
	dst = append(dst, ' ')
	dst = append(dst, r.URL.Path...)
	if r.URL.RawQuery == "" {
		return dst
	}
	q := r.URL.Query()
	sep := byte('?')
	for _, k := range keyParams {
		if v, ok := q[k]; ok && len(v) > 0 {
			dst = append(dst, sep)
			dst = append(dst, k...)
			dst = append(dst, '=')
			dst = append(dst, v[0]...)
			sep = '&'
		}
	}
	return dst
}

// serve answers r from the cache, rendering through next on a miss. Only
// one render of a key runs at a time; concurrent requests wait for it. A
// hit allocates nothing here: the key is built on the stack and the map
// is read with it as is.
func (c *Cache) serve(w http.ResponseWriter, r *http.Request, variant string, next http.HandlerFunc) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		next(w, r)
		return
	}
	var buf [192]byte
	k := appendKey(buf[:0], variant, r)
	now := c.now()
	c.mu.RLock()
	e, gen := c.entries[string(k)], c.gen
	c.mu.RUnlock()
	if e == nil || e.gen != gen || !now.Before(e.expires) {
		key := string(k)
		v, _, _ := c.flight.Do(key+"\x00"+strconv.FormatUint(gen, 10), func() (any, error) {
			return c.fill(r, key, gen, next), nil
		})
		e = v.(*entry)
	}
	e.write(w, r)
}

// fill renders next for r and stores the result unless a write happened
// meanwhile. The render runs on its own request: conditional headers are
// dropped so that a full body is recorded, and the first client's going
// away must not fail the render the others wait for.
func (c *Cache) fill(r *http.Request, key string, gen uint64, next http.HandlerFunc) *entry {
	req := r.Clone(context.WithoutCancel(r.Context()))
	req.Method = http.MethodGet
	req.Header.Del("If-None-Match")
	req.Header.Del("If-Modified-Since")
	started := c.now()
	c.mu.RLock()
	seq := c.forgetSeq
	c.mu.RUnlock()
	rec := &recorder{header: make(http.Header)}
	next(rec, req)
	e := rec.entry()
	e.gen, e.stored = gen, started
	now := c.now()
	e.expires = now.Add(c.lifetime())
	if e.modified.IsZero() {
		e.modified = now.UTC().Truncate(time.Second)
		e.header.Set("Last-Modified", e.modified.Format(http.TimeFormat))
	}
	e.prepare()
	if e.storable && e.cost() <= c.maxBytes/8 {
		c.store(key, e, seq)
	}
	return e
}

func (c *Cache) store(key string, e *entry, seq uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.gen != c.gen {
		return // written during the render: the result may be stale
	}
	c.shortenIfForgotten(key, e, seq, e.stored)
	if !c.now().Before(e.expires) {
		return
	}
	if old := c.entries[key]; old != nil {
		c.size -= old.cost()
		delete(c.entries, key)
	}
	c.evictFor(e.cost())
	c.entries[key] = e
	c.size += e.cost()
}

// evictFor makes room for need bytes: expired entries first, then others
// in map order, which Go randomises, a fair enough choice for a cache
// whose entries all live under a minute.
func (c *Cache) evictFor(need int64) {
	if c.size+need <= c.maxBytes {
		return
	}
	c.dropExpired(c.now())
	for k, e := range c.entries {
		if c.size+need <= c.maxBytes {
			return
		}
		c.size -= e.cost()
		delete(c.entries, k)
	}
}

// write sends e, or 304 when the client holds it already.
func (e *entry) write(w http.ResponseWriter, r *http.Request) {
	h, fields, body := w.Header(), e.plain, e.body
	if e.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		fields, body = e.gzipped, e.gz
	}
	for _, f := range fields {
		if f.name == "Vary" && len(h["Vary"]) > 0 {
			h["Vary"] = e.varyAfterCallers(h["Vary"], f.value)
			continue
		}
		h[f.name] = f.value
	}
	if e.etag != "" && e.status == http.StatusOK {
		if notModified(r, e.etag, e.modified) {
			h.Del("Content-Type")
			h.Del("Content-Length")
			h.Del("Content-Encoding")
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.WriteHeader(e.status)
	if r.Method != http.MethodHead {
		w.Write(body) //nolint:errcheck // the client went away; nothing to do
	}
}

// headerField is one header of a stored answer, ready to assign.
type headerField struct {
	name  string
	value []string
}

// prepare lists the header of each encoding.
func (e *entry) prepare() {
	e.varyAfter = new(atomic.Pointer[varyMerge])
	e.plain = fieldsOf(e.header, nil)
	if e.gz != nil {
		e.gzipped = fieldsOf(e.header, e.gzHeader)
	}
}

// fieldsOf lists h, with the values of over in place of h's.
func fieldsOf(h, over http.Header) []headerField {
	f := make([]headerField, 0, len(h)+len(over))
	for k, v := range h {
		if _, ok := over[k]; !ok {
			f = append(f, headerField{k, v})
		}
	}
	for k, v := range over {
		f = append(f, headerField{k, v})
	}
	return f
}

// varyMerge is a caller's Vary value followed by an entry's.
type varyMerge struct {
	first  string
	merged []string
}

// varyAfterCallers returns the caller's Vary values followed by the
// entry's, v, in one field line. The usual caller sets one value, always
// the same: that merge is kept, so that answering it allocates nothing.
func (e *entry) varyAfterCallers(callers, v []string) []string {
	if len(callers) != 1 || e.varyAfter == nil {
		return append(callers[:len(callers):len(callers)], v...)
	}
	if m := e.varyAfter.Load(); m != nil && m.first == callers[0] {
		return m.merged
	}
	merged := []string{strings.Join(append([]string{callers[0]}, v...), ", ")}
	e.varyAfter.Store(&varyMerge{first: callers[0], merged: merged})
	return merged
}

// notModified applies RFC 9110's rules: If-None-Match decides when
// present, If-Modified-Since only otherwise.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			// Either encoding's tag: both carry the same content.
			if t == "*" || t == etag || t == gzipTag(etag) {
				return true
			}
		}
		return false
	}
	since := r.Header.Get("If-Modified-Since")
	if since == "" {
		return false
	}
	ims, err := http.ParseTime(since)
	return err == nil && !modified.After(ims)
}

// recorder captures a handler's response.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// entry turns the recording into an entry, deciding whether it may be
// kept: successes, not-found and gone pages, never anything personal.
func (r *recorder) entry() *entry {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	h := r.header
	h.Del("Content-Length") // set again from the body when written
	h.Del("Date")
	e := &entry{status: r.status, header: h, body: r.body.Bytes()}
	switch r.status {
	case http.StatusOK, http.StatusNotFound, http.StatusGone:
		e.storable = true
	}
	cc := strings.ToLower(h.Get("Cache-Control"))
	if h.Get("Set-Cookie") != "" || strings.Contains(cc, "no-store") || strings.Contains(cc, "private") {
		e.storable = false
	}
	if t, err := http.ParseTime(h.Get("Last-Modified")); err == nil {
		e.modified = t
	}
	if r.status == http.StatusOK {
		e.etag = h.Get("ETag")
		if e.etag == "" {
			sum := sha256.Sum256(e.body)
			e.etag = `"` + hex.EncodeToString(sum[:16]) + `"`
		}
	}
	if compressible(h.Get("Content-Type"), len(e.body)) {
		e.compress()
	}
	// One field line for Vary, the same as several for HTTP (RFC 9110
	// 5.3): net/http writes each value as a line of its own, each read,
	// checked and written again for every answer.
	if v := h["Vary"]; len(v) > 1 {
		h["Vary"] = []string{strings.Join(v, ", ")}
	}
	// Written with every answer, so made once here. 304s drop the length.
	h.Set("Content-Length", strconv.Itoa(len(e.body)))
	if e.etag != "" {
		h.Set("ETag", e.etag)
	}
	for k, v := range h {
		h[k] = slices.Clip(v)
	}
	return e
}

// compress makes the gzip variant when it is worth it. Every answer of
// the entry then varies by Accept-Encoding.
func (e *entry) compress() {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // a valid level: no error
	if _, err := zw.Write(e.body); err != nil || zw.Close() != nil || buf.Len() >= len(e.body) {
		return
	}
	e.gz = buf.Bytes()
	e.header.Add("Vary", "Accept-Encoding")
	e.gzHeader = http.Header{
		"Content-Encoding": {"gzip"},
		"Content-Length":   {strconv.Itoa(len(e.gz))},
	}
	if e.etag != "" {
		e.gzHeader["Etag"] = []string{gzipTag(e.etag)}
	}
}

// gzipTag is the entity tag of the gzip variant: another representation
// needs another tag.
func gzipTag(etag string) string {
	return strings.TrimSuffix(etag, `"`) + `-gz"`
}

// compressible tells whether a body of this type and size gains from
// gzip: text formats, past a packet's worth.
func compressible(contentType string, size int) bool {
	if size < 512 {
		return false
	}
	mt, _, _ := strings.Cut(contentType, ";")
	switch mt {
	case "text/html", "text/calendar", "application/activity+json", "application/ld+json",
		"application/json", "application/atom+xml", "application/rss+xml", "application/jrd+json":
		return true
	}
	return false
}

// acceptsGzip reads Accept-Encoding: gzip (or *) listed without q=0.
func acceptsGzip(header string) bool {
	for header != "" {
		var part string
		part, header, _ = strings.Cut(header, ",")
		name, params, _ := strings.Cut(part, ";")
		name = strings.TrimSpace(name)
		if !strings.EqualFold(name, "gzip") && name != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return !strings.HasPrefix(q, "q=0") || strings.HasPrefix(q, "q=0.") && strings.Trim(q[4:], "0") != ""
	}
	return false
}
