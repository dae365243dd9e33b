package transport

import (
	"bytes"
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// maxRetryAfter bounds a server's Retry-After so that a hostile or broken
// value cannot park a delivery for ever.
const maxRetryAfter = 7 * 24 * time.Hour

// Outcome is what a delivery attempt means for the queue.
type Outcome int

const (
	// Delivered: the inbox accepted the activity (2xx).
	Delivered Outcome = iota
	// Retry: try again later (network error, 5xx, 401, 408, 429, or an
	// unexpected 1xx/3xx), honouring RetryAfter when set.
	Retry
	// Gone: the inbox answered 410; the actor is gone, stop for good.
	Gone
	// Failed: a final refusal (another 4xx, a refused address, a request
	// that cannot be built); retrying cannot help.
	Failed
)

func (o Outcome) String() string {
	switch o {
	case Delivered:
		return "delivered"
	case Retry:
		return "retry"
	case Gone:
		return "gone"
	case Failed:
		return "failed"
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// DeliveryResult describes one delivery attempt.
type DeliveryResult struct {
	Outcome Outcome
	// StatusCode is the inbox's answer, 0 when none came.
	StatusCode int
	// RetryAfter is the delay the inbox asked for, 0 when it asked none.
	RetryAfter time.Duration
}

// Deliver POSTs an activity to an inbox, signed with key under keyID, and
// classifies the answer as Mastodon does: a 4xx other than 401, 408 and
// 429 is final, 410 means gone, the rest is retried. The result is never
// nil; the error is nil exactly when the outcome is Delivered and
// otherwise says what happened, for the delivery log.
func (c *Client) Deliver(ctx context.Context, inbox string, body []byte, keyID string, key *rsa.PrivateKey) (*DeliveryResult, error) {
	return c.Send(ctx, Delivery{Inbox: inbox, Body: body, KeyID: keyID, Key: key})
}

// Delivery is one activity to post to one inbox.
type Delivery struct {
	Inbox string
	Body  []byte
	KeyID string
	Key   *rsa.PrivateKey
	// Digest is BodyDigest(Body), when the caller has it already: a
	// fan-out's deliveries share one body.
	Digest string
	// Header holds more headers, such as Collection-Synchronization,
	// which the signature covers.
	Header http.Header
	// MaxWait, when set, bounds the wait for the inbox's server to take
	// one more of our deliveries: past it Send returns ErrHostBusy,
	// having sent nothing.
	MaxWait time.Duration
	// BeforeSign, when set, is waited for once a processor is free to
	// sign and before the signature: the caller's way to hold back new
	// requests, all of them, while the answers of earlier ones are not
	// yet dealt with. An error leaves the request unsent.
	BeforeSign func(ctx context.Context) error
}

// Send posts d as Deliver does.
func (c *Client) Send(ctx context.Context, d Delivery) (*DeliveryResult, error) {
	inbox, body, keyID, key := d.Inbox, d.Body, d.KeyID, d.Key
	digest := d.Digest
	if digest == "" {
		digest = BodyDigest(body)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, inbox, bytes.NewReader(body))
	if err != nil {
		return &DeliveryResult{Outcome: Failed}, fmt.Errorf("deliver to %s: %w", inbox, err)
	}
	for k, vs := range d.Header {
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	req.Header.Set("Content-Type", ContentTypeActivity)
	req.Header.Set("Accept", AcceptActivity)
	// The gate is passed before signing: a delivery to a server that is
	// down costs no signature.
	pass, err := c.hosts.acquire(ctx, strings.ToLower(req.URL.Host), d.MaxWait)
	if err != nil {
		return &DeliveryResult{Outcome: Retry}, fmt.Errorf("deliver to %s: %w", inbox, err)
	}
	var connected atomic.Bool
	// ctx bounds the wait for the server and for a processor to sign.
	// Once signed, the request runs to its answer (within the client's
	// timeouts) whatever happens to ctx: a request cut after it was sent
	// may have been received, and would then be sent again.
	req = req.WithContext(httptrace.WithClientTrace(context.WithoutCancel(ctx), &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
	}))
	sign := func(r *http.Request) error {
		if err := ctx.Err(); err != nil {
			return err // select below would pick at random between both
		}
		select {
		case c.signSlots <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		defer func() { <-c.signSlots }()
		if d.BeforeSign != nil {
			// Waited for holding the slot: while the caller holds back,
			// no delivery signs at all.
			if err := d.BeforeSign(ctx); err != nil {
				return err
			}
		}
		// The slot was handed over by a delivery that just signed, and
		// Go runs a goroutine woken that way before any other waiting
		// (runnext): signers would take turns ahead of the answers read
		// meanwhile, which wait to be recorded (a crash then sends them
		// twice), and of the public pages. Yielding puts this signature
		// behind them.
		runtime.Gosched()
		return signRequest(r, digest, keyID, key, c.now())
	}
	resp, err := c.do(req, sign)
	pass.release(err == nil, err == nil && resp.ProtoMajor == 2, err != nil && unreachable(ctx, err, connected.Load()))
	if err != nil {
		res := &DeliveryResult{Outcome: Retry}
		if errors.Is(err, ErrForbiddenAddress) || errors.Is(err, errNotSent) {
			res.Outcome = Failed
		}
		return res, fmt.Errorf("deliver to %s: %w", inbox, err)
	}
	discard(resp)
	res := &DeliveryResult{StatusCode: resp.StatusCode, Outcome: classify(resp.StatusCode)}
	if res.Outcome == Retry {
		res.RetryAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	}
	if res.Outcome == Delivered {
		return res, nil
	}
	return res, fmt.Errorf("deliver to %s: status %d (%s)", inbox, resp.StatusCode, res.Outcome)
}

// unreachable tells a request that got no answer because of the server
// (no connection, no TLS, no response headers in time) from one we
// stopped or never sent.
func unreachable(ctx context.Context, err error, connected bool) bool {
	if ctx.Err() != nil || errors.Is(err, errNotSent) || errors.Is(err, ErrForbiddenAddress) {
		return false
	}
	if !connected {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func classify(code int) Outcome {
	switch {
	case code >= 200 && code < 300:
		return Delivered
	case code == http.StatusGone:
		return Gone
	case code == http.StatusUnauthorized, code == http.StatusRequestTimeout, code == http.StatusTooManyRequests:
		return Retry
	case code >= 400 && code < 500:
		return Failed
	}
	return Retry
}

// ParseRetryAfter reads a Retry-After header, in seconds or as an HTTP
// date, as a delay from now. It returns 0 when absent, malformed or in the
// past, and never more than a week.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	if d < 0 {
		return 0
	}
	return min(d, maxRetryAfter)
}
