package transport

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"hash"
	"net/http"
	"strings"
	"time"

	"github.com/go-fed/httpsig"
)

// The window a signed Date must fall in. Mastodon refuses dates more than
// about an hour away from its clock; we refuse more than one hour in either
// direction, which keeps replays short while tolerating skewed clocks.
const (
	MaxSignatureAge  = time.Hour
	MaxSignatureSkew = time.Hour
)

// VerifyError is a refused signature. Reason is short and safe to send back
// in a 401 body; Err, when set, is the underlying cause for logs.
type VerifyError struct {
	Reason string
	Err    error
}

func (e *VerifyError) Error() string {
	if e.Err != nil {
		return "signature refused: " + e.Reason + ": " + e.Err.Error()
	}
	return "signature refused: " + e.Reason
}

func (e *VerifyError) Unwrap() error { return e.Err }

func refuse(reason string, err error) *VerifyError { return &VerifyError{Reason: reason, Err: err} }

// KeyLookup returns the public key for keyID. It is called with refresh
// false first (a cached key is fine); when that key does not verify the
// signature, it is called once more with refresh true and must then fetch
// the key anew, since the actor may have rotated it. Implementations should
// limit how often a key is refreshed: anyone can send a bad signature that
// names a real key.
type KeyLookup func(ctx context.Context, keyID string, refresh bool) (crypto.PublicKey, error)

// VerifyRequest checks the draft-cavage or RFC 9421 signature of r, whose
// body (already read) is body, and returns the signing key's id. On top of the
// cryptography done by httpsig it enforces what Mastodon enforces: the
// signature must cover (request-target), host and date, and digest when the
// request has a body; Digest must match body; Date must be within the
// window around now; the algorithm must be rsa-sha256 or hs2019 (or
// absent). Every refusal is a *VerifyError.
func VerifyRequest(r *http.Request, body []byte, now time.Time, lookup KeyLookup) (string, error) {
	p, err := CheckRequest(r, body, now)
	if err != nil {
		return p.KeyID, err
	}
	return p.KeyID, VerifyKey(r, p, lookup)
}

// VerifyKey checks the signature of r, whose parameters CheckRequest
// returned, against the key lookup gives for p.KeyID, looking the key up
// again once when it does not verify (the actor may have changed keys).
func VerifyKey(r *http.Request, p SignatureParams, lookup KeyLookup) error {
	ctx := r.Context()
	key, err := lookup(ctx, p.KeyID, false)
	if err != nil {
		return refuse("key not available", err)
	}
	if err := verifyCrypto(r, p, key); err == nil {
		return nil
	}
	key, err = lookup(ctx, p.KeyID, true)
	if err != nil {
		return refuse("key not available", err)
	}
	return verifyCrypto(r, p, key)
}

// CheckRequest applies every rule of VerifyRequest that needs no key: one
// well-formed Signature header, the algorithm, the covered headers, the
// date window and the Digest of body. A request with Signature-Input is
// read as RFC 9421 HTTP Message Signatures instead, under the same rules
// (see checkMessage). It costs a hash of the body; an
// inbox calls it before parsing the body, so that an unsigned or
// ill-signed request costs no JSON parsing. It returns the signature's
// parameters, with the KeyID set whenever the header could be read.
func CheckRequest(r *http.Request, body []byte, now time.Time) (SignatureParams, error) {
	// Signature-Input says the Signature field is RFC 9421's, which a
	// sender that signs both ways prefers too.
	if len(r.Header.Values("Signature-Input")) > 0 {
		return checkMessageRequest(r, body, now)
	}
	values := r.Header.Values("Signature")
	if len(values) == 0 {
		return SignatureParams{}, refuse("request not signed", nil)
	}
	if len(values) > 1 {
		return SignatureParams{}, refuse("more than one Signature header", nil)
	}
	p, err := ParseSignatureHeader(values[0])
	if err != nil {
		return SignatureParams{}, refuse("malformed signature", err)
	}
	return p, checkParams(r, p, body, now)
}

// checkParams applies our rules to the signature's parameters and the
// request headers, before any key is looked up: a request failing them
// costs no fetch.
func checkParams(r *http.Request, p SignatureParams, body []byte, now time.Time) error {
	switch p.Algorithm {
	case "", "rsa-sha256", "hs2019":
	default:
		return refuse("unsupported algorithm", nil)
	}
	if p.Headers == nil {
		return refuse("signature must list its headers", nil)
	}
	covered := map[string]bool{}
	for _, h := range p.Headers {
		covered[h] = true
	}
	for _, need := range []string{"(request-target)", "host", "date"} {
		if !covered[need] {
			return refuse("signature must cover "+need, nil)
		}
	}
	withBody := hasBody(r.Method) || len(body) > 0
	if withBody && !covered["digest"] {
		return refuse("signature must cover digest", nil)
	}
	if err := checkDate(r, now); err != nil {
		return err
	}
	if p.Created != 0 && time.Unix(p.Created, 0).After(now.Add(MaxSignatureSkew)) {
		return refuse("signature created in the future", nil)
	}
	if p.Expires != 0 && time.Unix(p.Expires, 0).Before(now) {
		return refuse("signature expired", nil)
	}
	if covered["digest"] || withBody {
		if err := checkDigest(r.Header.Values("Digest"), body); err != nil {
			return err
		}
	}
	return nil
}

func checkDate(r *http.Request, now time.Time) error {
	values := r.Header.Values("Date")
	if len(values) != 1 {
		return refuse("exactly one Date header needed", nil)
	}
	t, err := http.ParseTime(values[0])
	if err != nil {
		return refuse("malformed Date", err)
	}
	if t.Before(now.Add(-MaxSignatureAge)) {
		return refuse("Date too old", nil)
	}
	if t.After(now.Add(MaxSignatureSkew)) {
		return refuse("Date in the future", nil)
	}
	return nil
}

// checkDigest checks an RFC 3230 Digest header against body. Every listed
// digest must be SHA-256 or SHA-512 and match; an unknown algorithm is
// refused rather than skipped, so nothing unchecked is ever signed over.
func checkDigest(values []string, body []byte) error {
	if len(values) == 0 {
		return refuse("Digest header missing", nil)
	}
	n := 0
	for _, v := range values {
		for _, d := range strings.Split(v, ",") {
			algo, want, ok := strings.Cut(strings.TrimSpace(d), "=")
			if !ok {
				return refuse("malformed Digest", nil)
			}
			var h hash.Hash
			switch strings.ToUpper(algo) {
			case "SHA-256":
				h = sha256.New()
			case "SHA-512":
				h = sha512.New()
			default:
				return refuse("unsupported Digest algorithm", nil)
			}
			h.Write(body)
			got := base64.StdEncoding.EncodeToString(h.Sum(nil))
			if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
				return refuse("Digest does not match body", nil)
			}
			if n++; n > 4 {
				return refuse("too many digests", nil)
			}
		}
	}
	return nil
}

// verifyCrypto checks the signature itself with httpsig. httpsig is handed
// a copy of the request holding only the signed headers and a Signature
// header we wrote from our own parse, so both read the same parameters.
// A target with a query is tried as sent, then without its query: Mastodon
// before 4.2 signed the path alone and Mastodon still accepts both.
func verifyCrypto(r *http.Request, p SignatureParams, key crypto.PublicKey) error {
	if p.message != nil {
		return p.message.verify(key)
	}
	pub, ok := key.(*rsa.PublicKey)
	if !ok {
		return refuse("unsupported key type", fmt.Errorf("%T", key))
	}
	target := requestTarget(r)
	err := verifyTarget(r, p, pub, target)
	if err != nil {
		if path, _, hasQuery := strings.Cut(target, "?"); hasQuery {
			if verifyTarget(r, p, pub, path) == nil {
				return nil
			}
		}
		return refuse("signature does not verify", err)
	}
	return nil
}

func verifyTarget(r *http.Request, p SignatureParams, pub *rsa.PublicKey, target string) error {
	h := http.Header{}
	for _, name := range p.Headers {
		if strings.HasPrefix(name, "(") {
			continue
		}
		if name == "host" {
			h.Set("Host", requestHost(r))
			continue
		}
		if v, ok := r.Header[http.CanonicalHeaderKey(name)]; ok {
			h[http.CanonicalHeaderKey(name)] = v
		}
	}
	canon := SignatureParams{KeyID: "k", Headers: p.Headers, Signature: p.Signature, Created: p.Created, Expires: p.Expires}
	h.Set("Signature", canon.String())
	view := signingView(r, target)
	view.Header = h
	v, err := httpsig.NewVerifier(view)
	if err != nil {
		return err
	}
	return v.Verify(pub, httpsig.RSA_SHA256)
}

// requestTarget is the path and query the client sent: the raw request
// line when we are the server, the escaped URL otherwise.
func requestTarget(r *http.Request) string {
	if strings.HasPrefix(r.RequestURI, "/") {
		return r.RequestURI
	}
	return r.URL.RequestURI()
}

// requestHost is the Host the client sent. A Go server moves it from the
// headers to r.Host.
func requestHost(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	if h := r.Header.Get("Host"); h != "" {
		return h
	}
	if r.URL != nil {
		return r.URL.Host
	}
	return ""
}
