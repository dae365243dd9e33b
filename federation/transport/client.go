// Package transport is everything newsroom puts on the wire to other
// fediverse servers: an HTTP client that refuses to reach private
// addresses, HTTP Signatures (draft-cavage, as Mastodon speaks them), signed
// fetching of ActivityStreams documents with their origin checks, and
// delivery to inboxes.
package transport

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime"
	"time"
)

// Defaults used when Options leaves a field zero.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxBodyBytes = 1 << 20 // 1 MiB: bigger than any real actor or note
	DefaultUserAgent    = "newsroom"

	// MaxRedirects is how many redirects a GET may follow.
	MaxRedirects = 3

	// Connection timeouts, as Mastodon's (5 s to connect, 10 s to
	// read): a server that has not connected, finished its TLS handshake
	// or sent its response headers by then is treated as unreachable.
	DefaultDialTimeout           = 5 * time.Second
	DefaultTLSHandshakeTimeout   = 5 * time.Second
	DefaultResponseHeaderTimeout = 10 * time.Second

	// tlsSessions is how many servers' TLS sessions are kept for
	// resumption: one per server a fan-out reaches, roughly.
	tlsSessions = 10000

	// writeBufferSize is the buffer a request is written through.
	writeBufferSize = 8 << 10
)

// ErrTooLarge is returned when a body is bigger than allowed.
var ErrTooLarge = errors.New("body too large")

// ErrTooManyRedirects is returned when a GET is redirected more than
// MaxRedirects times.
var ErrTooManyRedirects = errors.New("too many redirects")

// errNotSent marks failures before anything was sent (signing): they would
// repeat identically on every retry.
var errNotSent = errors.New("request not sent")

// Options configures a Client.
type Options struct {
	// AllowedNets lists address ranges that are reachable although not
	// public, for tests and local development (e.g. 127.0.0.0/8).
	AllowedNets []netip.Prefix
	// UserAgent is sent with every request.
	UserAgent string
	// Timeout bounds a whole request including reading its body.
	Timeout time.Duration
	// MaxBodyBytes caps the bodies read by Fetch and ReadBody.
	MaxBodyBytes int64
	// LookupIP resolves host names; nil uses the system resolver. Tests set
	// it so that no DNS query leaves the machine.
	LookupIP func(ctx context.Context, host string) ([]netip.Addr, error)
	// Now is the clock used for Date headers; nil uses time.Now.
	Now func() time.Time

	// DialTimeout, TLSHandshakeTimeout and ResponseHeaderTimeout bound
	// each step of a request; zero means the Default of each.
	DialTimeout, TLSHandshakeTimeout, ResponseHeaderTimeout time.Duration
	// MaxPerHost bounds the deliveries in flight to one server; zero means
	// DefaultMaxPerHost.
	MaxPerHost int
	// HostDownFor is how long an unreachable server is left alone before
	// it is probed again; zero means DefaultHostDownFor.
	HostDownFor time.Duration
	// ExtraRootCAs are trusted besides the system's roots. Only tests and
	// benchmarks set it, for servers with certificates of their own CA;
	// no setting of the program reaches it.
	ExtraRootCAs []*x509.Certificate
}

// Client is an HTTP client for requests to other servers. It is safe for
// concurrent use.
type Client struct {
	http    *http.Client
	opts    Options
	dialer  *net.Dialer
	allowed []netip.Prefix
	// signSlots lets at most one delivery per processor sign at a time.
	// An RSA signature is a millisecond of pure CPU; a hundred deliveries
	// signing together would each hold a processor, half-signed, while the
	// goroutines reading answers and serving public pages queue behind
	// them. One per processor keeps the processors busy signing (a
	// fan-out's ceiling is the machine's signing rate) with everything else
	// scheduled between signatures. One processor fewer was tried: public
	// reads were faster during a fan-out (p99 20–40 ms instead of
	// 60–80 ms on two cores), but deliveries could then never exceed half
	// the machine's signing rate on two processors.
	signSlots chan struct{}
	// hosts bounds the deliveries in flight to each server and keeps
	// unreachable ones from taking more than one.
	hosts *hostGate
}

// Timeout is the longest a request may take, answer and body included.
func (c *Client) Timeout() time.Duration { return c.opts.Timeout }

// NewClient returns a Client that refuses non-public addresses (unless
// allowed), proxies from the environment and schemes other than http(s).
func NewClient(o Options) *Client {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.DialTimeout = cmp.Or(o.DialTimeout, DefaultDialTimeout)
	o.TLSHandshakeTimeout = cmp.Or(o.TLSHandshakeTimeout, DefaultTLSHandshakeTimeout)
	o.ResponseHeaderTimeout = cmp.Or(o.ResponseHeaderTimeout, DefaultResponseHeaderTimeout)
	o.MaxPerHost = cmp.Or(o.MaxPerHost, DefaultMaxPerHost)
	o.HostDownFor = cmp.Or(o.HostDownFor, DefaultHostDownFor)
	if o.LookupIP == nil {
		o.LookupIP = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	c := &Client{opts: o, allowed: append([]netip.Prefix(nil), o.AllowedNets...),
		signSlots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0))),
		hosts:     newHostGate(o.MaxPerHost, o.HostDownFor, o.Now)}
	c.dialer = &net.Dialer{Timeout: o.DialTimeout, Control: control(c.allowed)}
	tlsConfig := &tls.Config{
		// A server seen again (the next post, an edit) resumes its TLS
		// session: one round trip and no certificate chain to check.
		ClientSessionCache: tls.NewLRUClientSessionCache(tlsSessions),
	}
	if len(o.ExtraRootCAs) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		for _, ca := range o.ExtraRootCAs {
			pool.AddCert(ca)
		}
		tlsConfig.RootCAs = pool
	}
	tr := &http.Transport{
		Proxy:                 nil, // never HTTP(S)_PROXY: it would bypass the address checks
		DialContext:           c.dialContext,
		TLSClientConfig:       tlsConfig,
		TLSHandshakeTimeout:   o.TLSHandshakeTimeout,
		ResponseHeaderTimeout: o.ResponseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		// A fan-out reaches every follower's server; keeping those
		// connections for the next activity (an edit, the next post)
		// spares a TCP and TLS handshake each.
		MaxIdleConns:        2000,
		MaxIdleConnsPerHost: max(16, o.MaxPerHost),
		// With a DialContext and a TLS config of our own, HTTP/2 is only
		// offered when asked for: a server that speaks it then takes a
		// fan-out's deliveries on one connection.
		ForceAttemptHTTP2: true,
		// A delivery (headers with the signature, about 1.5 KB, and a
		// Create of a few) then leaves in one write, where the default
		// 4 KB split most in two: two system calls, two segments for
		// the server to take in.
		WriteBufferSize: writeBufferSize,
	}
	c.http = &http.Client{
		Transport: tr,
		Timeout:   o.Timeout,
		// Redirects are followed by Do itself, so that every hop is
		// checked and re-signed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c
}

// MaxBodyBytes is the body cap of this client.
func (c *Client) MaxBodyBytes() int64 { return c.opts.MaxBodyBytes }

// now returns the client's clock.
func (c *Client) now() time.Time { return c.opts.Now() }

// dialContext resolves the host itself, so that resolution can be replaced
// in tests and refused addresses give an AddressError before any connect.
// The dialer's Control hook checks again on the socket's real address.
func (c *Client) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return c.dialer.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
	}
	if looksNumeric(host) {
		return nil, &AddressError{Addr: host, Reason: "ambiguous numeric host"}
	}
	ips, err := c.opts.LookupIP(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	var firstErr error
	for _, ip := range ips {
		if err := checkAddr(ip, c.allowed); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		conn, err := c.dialer.DialContext(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		firstErr = err
		if ctx.Err() != nil {
			break
		}
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("resolve %s: no addresses", host)
	}
	return nil, firstErr
}

// Do sends req. GET and HEAD requests follow up to MaxRedirects redirects,
// each hop checked like the first; other methods never follow redirects.
// The final response's Request.URL is the URL that actually answered.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	return c.do(req, nil)
}

// do is Do with an optional signing step run on every hop, since a
// signature covers the host and path and cannot survive a redirect.
func (c *Client) do(req *http.Request, sign func(*http.Request) error) (*http.Response, error) {
	follow := req.Method == http.MethodGet || req.Method == http.MethodHead
	for hop := 0; ; hop++ {
		if err := checkURL(req.URL); err != nil {
			return nil, err
		}
		req.Header.Set("User-Agent", c.opts.UserAgent)
		if sign != nil {
			if err := sign(req); err != nil {
				return nil, fmt.Errorf("%w: %w", errNotSent, err)
			}
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return nil, err
		}
		if !follow || !isRedirect(resp.StatusCode) {
			return resp, nil
		}
		loc := resp.Header.Get("Location")
		discard(resp)
		if loc == "" {
			return nil, fmt.Errorf("redirect from %s without Location", req.URL.Redacted())
		}
		if hop >= MaxRedirects {
			return nil, fmt.Errorf("get %s: %w", req.URL.Redacted(), ErrTooManyRedirects)
		}
		next, err := req.URL.Parse(loc)
		if err != nil {
			return nil, fmt.Errorf("redirect from %s: bad Location: %w", req.URL.Redacted(), err)
		}
		next.Fragment, next.RawFragment = "", ""
		req = nextHop(req, next)
	}
}

// nextHop builds the request for a redirect target, keeping the caller's
// headers but not the ones bound to the previous hop.
func nextHop(prev *http.Request, u *url.URL) *http.Request {
	r := prev.Clone(prev.Context())
	r.URL = u
	r.Host = ""
	for _, h := range []string{"Host", "Signature", "Date", "Authorization", "Cookie"} {
		r.Header.Del(h)
	}
	return r
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// discard drains a little of an unwanted body so the connection can be
// reused, then closes it.
func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}

// ReadBody reads resp's body up to the client's cap, refusing at once a
// Content-Length that announces more. It closes the body.
func (c *Client) ReadBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	if resp.ContentLength > c.opts.MaxBodyBytes {
		return nil, fmt.Errorf("content length %d: %w", resp.ContentLength, ErrTooLarge)
	}
	return ReadLimited(resp.Body, c.opts.MaxBodyBytes)
}

// ReadLimited reads r to the end but never more than max bytes; a longer
// stream gives ErrTooLarge after reading max+1 bytes, whatever any header
// announced.
func ReadLimited(r io.Reader, max int64) ([]byte, error) {
	if max < 0 {
		max = 0
	}
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("more than %d bytes: %w", max, ErrTooLarge)
	}
	return b, nil
}
