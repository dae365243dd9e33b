package transport

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/idna"
)

const activityStreamsProfile = "https://www.w3.org/ns/activitystreams"

// Errors of Fetch, for errors.Is.
var (
	// ErrContentType: the answer was not an ActivityStreams document.
	ErrContentType = errors.New("not an ActivityStreams content type")
	// ErrIDMismatch: the document's id is not the URL that served it.
	ErrIDMismatch = errors.New("document id does not match its URL")
	// ErrGone: the server answered 410, the object was deleted.
	ErrGone = errors.New("gone")
)

// StatusError is an unexpected HTTP status.
type StatusError struct {
	URL  string
	Code int
}

func (e *StatusError) Error() string { return fmt.Sprintf("get %s: status %d", e.URL, e.Code) }

// Is makes a 410 match ErrGone.
func (e *StatusError) Is(target error) bool { return target == ErrGone && e.Code == http.StatusGone }

// Fetcher fetches ActivityStreams documents with signed GETs, so that
// servers in authorized-fetch mode answer, and checks that each document
// really comes from its id.
type Fetcher struct {
	Client *Client
	// KeyID and Key sign every fetch (the instance actor's key). A nil Key
	// makes unsigned fetches.
	KeyID string
	Key   *rsa.PrivateKey
	// MaxBody caps a document; 0 uses the client's cap.
	MaxBody int64
	// Now is the clock for Date headers; nil uses the client's.
	Now func() time.Time
}

// Fetch GETs an ActivityStreams document and returns its body. The answer
// must be 200 with type application/activity+json or application/ld+json
// with the ActivityStreams profile; other types (text/html,
// application/json, images, and ld+json without the profile, which
// Mastodon tolerates but a same-host upload could also be) are refused.
// The document's id must equal the URL that finally answered (after
// redirects, compared by NormaliseURL); if not, the id is fetched once and
// must then match. The returned body may thus be the document at its id
// rather than at rawURL: callers must take the identity from the body's
// id, never from rawURL.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) ([]byte, error) {
	body, id, final, err := f.get(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	if id == final {
		return body, nil
	}
	if id == "" {
		return nil, fmt.Errorf("fetch %s: %w: no usable id", rawURL, ErrIDMismatch)
	}
	body, id2, final2, err := f.get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: refetch from its id: %w", rawURL, err)
	}
	if id2 != final2 || id2 != id {
		return nil, fmt.Errorf("fetch %s: %w: id %q served at %q", rawURL, ErrIDMismatch, id2, final2)
	}
	return body, nil
}

// get does one signed GET and returns the body, the document's normalised
// id ("" if it has none usable) and the normalised URL that answered.
func (f *Fetcher) get(ctx context.Context, rawURL string) (body []byte, id, final string, err error) {
	if f.Client == nil {
		return nil, "", "", errors.New("fetcher has no client")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, "", "", fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	req.Header.Set("Accept", AcceptActivity)
	var sign func(*http.Request) error
	if f.Key != nil {
		sign = func(r *http.Request) error { return SignRequest(r, nil, f.KeyID, f.Key, f.now()) }
	}
	resp, err := f.Client.do(req, sign)
	if err != nil {
		return nil, "", "", fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	answered := resp.Request.URL.String()
	if resp.StatusCode != http.StatusOK {
		discard(resp)
		return nil, "", "", fmt.Errorf("fetch %s: %w", rawURL, &StatusError{URL: answered, Code: resp.StatusCode})
	}
	if !IsActivityContentType(resp.Header.Get("Content-Type")) {
		discard(resp)
		return nil, "", "", fmt.Errorf("fetch %s: %w: %q", rawURL, ErrContentType, resp.Header.Get("Content-Type"))
	}
	max := f.MaxBody
	if max <= 0 {
		max = f.Client.MaxBodyBytes()
	}
	defer resp.Body.Close()
	if resp.ContentLength > max {
		return nil, "", "", fmt.Errorf("fetch %s: content length %d: %w", rawURL, resp.ContentLength, ErrTooLarge)
	}
	body, err = ReadLimited(resp.Body, max)
	if err != nil {
		return nil, "", "", fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	final, err = NormaliseURL(answered)
	if err != nil {
		return nil, "", "", fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	var doc struct {
		ID json.RawMessage `json:"id"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, "", "", fmt.Errorf("fetch %s: not a JSON object: %w", rawURL, err)
	}
	var rawID string
	if json.Unmarshal(doc.ID, &rawID) == nil {
		id, _ = NormaliseURL(rawID)
	}
	return body, id, final, nil
}

func (f *Fetcher) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return f.Client.now()
}

// IsActivityContentType reports whether a Content-Type header names an
// ActivityStreams document: application/activity+json, or
// application/ld+json whose profile lists the ActivityStreams namespace.
func IsActivityContentType(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case "application/activity+json":
		return true
	case "application/ld+json":
		for _, p := range strings.Fields(params["profile"]) {
			if p == activityStreamsProfile {
				return true
			}
		}
	}
	return false
}

// NormaliseURL returns the form of an http(s) URL used to compare ids:
// lowercase scheme, host normalised by NormaliseHost, default port
// dropped, empty path as "/", no fragment. The path and query are kept as
// written (escaped), since servers may treat them case-sensitively.
func NormaliseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("normalise url: %w", err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("normalise url %q: not http(s)", raw)
	}
	if u.Opaque != "" || u.User != nil {
		return "", fmt.Errorf("normalise url %q: unexpected form", raw)
	}
	host, err := authority(scheme, u.Host)
	if err != nil {
		return "", fmt.Errorf("normalise url %q: %w", raw, err)
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	out := scheme + "://" + host + path
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	return out, nil
}

// authority normalises host[:port] and drops the scheme's default port.
func authority(scheme, hostport string) (string, error) {
	h, err := NormaliseHost(hostport)
	if err != nil {
		return "", err
	}
	if scheme == "http" {
		h = strings.TrimSuffix(h, ":80")
	} else if scheme == "https" {
		h = strings.TrimSuffix(h, ":443")
	}
	return h, nil
}

// NormaliseHost returns host (optionally with :port) in the one form used
// to compare hosts: lowercase, internationalised names in punycode, no
// trailing dot, IP addresses in canonical form (IPv6 in brackets).
func NormaliseHost(host string) (string, error) {
	name, port := host, ""
	switch {
	case strings.HasPrefix(host, "["):
		end := strings.IndexByte(host, ']')
		if end < 0 {
			return "", fmt.Errorf("host %q: unclosed bracket", host)
		}
		name, port = host[1:end], host[end+1:]
		if port != "" && !strings.HasPrefix(port, ":") {
			return "", fmt.Errorf("host %q: text after bracket", host)
		}
		port = strings.TrimPrefix(port, ":")
		if _, err := netip.ParseAddr(name); err != nil || !strings.Contains(name, ":") {
			return "", fmt.Errorf("host %q: bad IPv6 address", host)
		}
	case strings.Count(host, ":") == 1:
		name, port, _ = strings.Cut(host, ":")
	}
	if port != "" && (len(port) > 5 || strings.Trim(port, "0123456789") != "") {
		return "", fmt.Errorf("host %q: bad port", host)
	}
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		return "", fmt.Errorf("host %q: empty", host)
	}
	if ip, err := netip.ParseAddr(name); err == nil {
		name = ip.String()
		if ip.Is6() {
			name = "[" + name + "]"
		}
	} else {
		ascii, err := idna.Lookup.ToASCII(name)
		if err != nil {
			return "", fmt.Errorf("host %q: %w", host, err)
		}
		name = strings.ToLower(ascii)
	}
	if port != "" {
		return name + ":" + port, nil
	}
	return name, nil
}

// SameHost reports whether a and b, absolute URLs or bare host[:port]
// values, name the same host and port once normalised. The port counts
// because two servers can share a name on different ports (tests do).
func SameHost(a, b string) bool {
	ha, err := hostOf(a)
	if err != nil {
		return false
	}
	hb, err := hostOf(b)
	if err != nil {
		return false
	}
	return ha == hb
}

func hostOf(s string) (string, error) {
	if !strings.Contains(s, "://") {
		return NormaliseHost(s)
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", err
	}
	return authority(strings.ToLower(u.Scheme), u.Host)
}
