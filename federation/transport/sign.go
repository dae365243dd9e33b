package transport

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-fed/httpsig"
	"golang.org/x/net/http/httpguts"
)

// Media types on the wire.
const (
	// ContentTypeActivity is the type of the activities we send.
	ContentTypeActivity = "application/activity+json"
	// AcceptActivity is the Accept header of our fetches, as Mastodon
	// sends it.
	AcceptActivity = `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
)

// Headers we sign, as Mastodon does: POST over the body's digest and type,
// GET over what we accept.
var (
	postSignedHeaders = []string{httpsig.RequestTarget, "host", "date", "digest", "content-type", "collection-synchronization"}
	getSignedHeaders  = []string{httpsig.RequestTarget, "host", "date", "accept"}
)

// SignRequest signs r with key in the draft-cavage form Mastodon sends and
// expects: it sets Date and Host and, for requests with a body, a SHA-256
// Digest of body, then a Signature header with algorithm rsa-sha256. body
// must be exactly what will be sent. Safe for concurrent use: a new signer
// is made per call, since httpsig's are not.
func SignRequest(r *http.Request, body []byte, keyID string, key *rsa.PrivateKey, now time.Time) error {
	digest := ""
	if hasBody(r.Method) {
		digest = BodyDigest(body)
	}
	return signRequest(r, digest, keyID, key, now)
}

// BodyDigest is the Digest header of a request carrying body. Deliveries
// of one activity share their body, and may share its digest.
func BodyDigest(body []byte) string {
	sum := sha256.Sum256(body)
	return "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
}

// signRequest is SignRequest with the body's Digest header given, empty
// for a request without a body.
func signRequest(r *http.Request, digest, keyID string, key *rsa.PrivateKey, now time.Time) error {
	if key == nil {
		return errors.New("sign request: no key")
	}
	if err := validKeyID(keyID); keyID == "" || err != nil {
		return fmt.Errorf("sign request: bad key id %q", keyID)
	}
	host, err := wireHost(r)
	if err != nil {
		return fmt.Errorf("sign request: %w", err)
	}
	// Go sends r.Host, not Header["Host"]; both are set to the same value
	// so the signed host is the one on the wire.
	r.Host = host
	r.Header.Set("Host", host)
	r.Header.Set("Date", now.UTC().Format(http.TimeFormat))
	r.Header.Del("Signature")
	r.Header.Del("Digest")

	headers := getSignedHeaders
	if hasBody(r.Method) {
		headers = postSignedHeaders
		r.Header.Set("Digest", digest)
	}
	headers = presentHeaders(r, headers)

	signer, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256, headers, httpsig.Signature, 0)
	if err != nil {
		return fmt.Errorf("sign request: %w", err)
	}
	// No body: httpsig would digest it again, for every delivery.
	if err := signer.SignRequest(key, keyID, signingView(r, r.URL.RequestURI()), nil); err != nil {
		return fmt.Errorf("sign request: %w", err)
	}
	// httpsig always writes algorithm="hs2019"; Mastodon and older servers
	// know rsa-sha256 best, so say what it really is. The key id before
	// it holds no quote, so the first match is the parameter.
	sig, ok := strings.CutPrefix(r.Header.Get("Signature"), `keyId="`+keyID+`",algorithm="hs2019",`)
	if !ok {
		return errors.New("sign request: unexpected Signature header from httpsig")
	}
	r.Header.Set("Signature", `keyId="`+keyID+`",algorithm="rsa-sha256",`+sig)
	return nil
}

// presentHeaders drops optional headers (content-type, accept) the request
// does not carry: a signature over a missing header cannot be made.
func presentHeaders(r *http.Request, want []string) []string {
	out := make([]string, 0, len(want))
	for _, h := range want {
		if (h == "content-type" || h == "accept" || h == "collection-synchronization") && r.Header.Get(h) == "" {
			continue
		}
		out = append(out, h)
	}
	return out
}

// hasBody reports whether requests with this method carry a body that the
// signature must cover through Digest.
func hasBody(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodDelete:
		return false
	}
	return true
}

// wireHost returns the Host header Go will send for r: its host and port
// as written, with a non-ASCII name in punycode, as net/http converts it.
func wireHost(r *http.Request) (string, error) {
	h := r.Host
	if h == "" && r.URL != nil {
		h = r.URL.Host
	}
	if h == "" {
		return "", errors.New("request has no host")
	}
	return httpguts.PunycodeHostPort(h)
}

// signingView returns a shallow copy of r (sharing its headers) whose URL
// path is the request target as sent on the wire, escaped, because httpsig
// builds (request-target) from URL.Path, the decoded form.
func signingView(r *http.Request, target string) *http.Request {
	v := r.WithContext(r.Context())
	path, query, _ := strings.Cut(target, "?")
	if path == "" {
		path = "/"
	}
	u := *r.URL
	u.Path, u.RawPath, u.RawQuery = path, "", query
	v.URL = &u
	return v
}
