package transport

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/dunglas/httpsfv"
)

// checkMessageRequest is CheckRequest for a request signed the RFC 9421
// way (it carries Signature-Input). Of several signatures, the first that
// passes our rules is the one verified; when none does, the first one's
// refusal is returned.
func checkMessageRequest(r *http.Request, body []byte, now time.Time) (SignatureParams, error) {
	sigs, err := ParseMessageSignatures(r.Header.Values("Signature-Input"), r.Header.Values("Signature"))
	if err != nil {
		return SignatureParams{}, refuse("malformed signature", err)
	}
	var first error
	for i := range sigs {
		ms := &sigs[i]
		err := checkMessage(r, ms, body, now)
		if err == nil {
			return SignatureParams{KeyID: ms.KeyID, Algorithm: ms.Alg, Signature: ms.Signature,
				Created: ms.Created, Expires: ms.Expires, message: ms}, nil
		}
		if first == nil {
			first = err
		}
	}
	return SignatureParams{KeyID: sigs[0].KeyID}, first
}

// checkMessage applies to one RFC 9421 signature the rules VerifyRequest
// applies to a draft-cavage one, and builds its signature base: it must
// cover the method and the whole target (@target-uri, or @authority and
// @path, with @query when there is one), and content-digest when the
// request has a body, whose Content-Digest must match; it must say when
// it was created, within the Date window, and must not have expired.
func checkMessage(r *http.Request, ms *MessageSignature, body []byte, now time.Time) error {
	switch ms.Alg {
	case "", AlgRSAv15SHA256, AlgRSAPSSSHA512, AlgEd25519:
	default:
		return refuse("unsupported algorithm", nil)
	}
	if !ms.Covers("@method") {
		return refuse("signature must cover @method", nil)
	}
	if !coversTarget(r, ms) {
		return refuse("signature must cover @target-uri, or @authority, @path and @query", nil)
	}
	withBody := hasBody(r.Method) || len(body) > 0
	if withBody && !ms.Covers("content-digest") {
		return refuse("signature must cover content-digest", nil)
	}
	if ms.Created == 0 {
		return refuse("signature must have a created time", nil)
	}
	created := time.Unix(ms.Created, 0)
	if created.Before(now.Add(-MaxSignatureAge)) {
		return refuse("signature created too long ago", nil)
	}
	if created.After(now.Add(MaxSignatureSkew)) {
		return refuse("signature created in the future", nil)
	}
	if ms.Expires != 0 && time.Unix(ms.Expires, 0).Before(now) {
		return refuse("signature expired", nil)
	}
	if ms.Covers("date") {
		if err := checkDate(r, now); err != nil {
			return err
		}
	}
	if withBody || ms.Covers("content-digest") {
		if err := checkContentDigest(r.Header.Values("Content-Digest"), body); err != nil {
			return err
		}
	}
	base, err := signatureBase(r, ms)
	if err != nil {
		return refuse("signature base cannot be built", err)
	}
	ms.base = base
	return nil
}

// coversTarget reports whether ms covers where the request was sent, so
// that it cannot be replayed to another path or host.
func coversTarget(r *http.Request, ms *MessageSignature) bool {
	if ms.Covers("@target-uri") {
		return true
	}
	if !ms.Covers("@authority") || !ms.Covers("@path") {
		return false
	}
	return !strings.Contains(requestTarget(r), "?") || ms.Covers("@query")
}

// checkContentDigest checks an RFC 9530 Content-Digest field against body.
// Every sha-256 and sha-512 digest listed must match; other algorithms are
// skipped, as RFC 9530 says, but at least one digest must be of ours, so
// nothing unchecked is ever signed over.
func checkContentDigest(values []string, body []byte) error {
	if len(values) == 0 {
		return refuse("Content-Digest header missing", nil)
	}
	if fieldBytes(values) > maxMessageFieldBytes {
		return refuse("malformed Content-Digest", errors.New("too long"))
	}
	d, err := httpsfv.UnmarshalDictionary(values)
	if err != nil {
		return refuse("malformed Content-Digest", err)
	}
	if len(d.Names()) > 4 {
		return refuse("too many digests", nil)
	}
	checked := 0
	for _, name := range d.Names() {
		m, _ := d.Get(name)
		item, ok := m.(httpsfv.Item)
		if !ok {
			return refuse("malformed Content-Digest", fmt.Errorf("%s is not an item", name))
		}
		want, ok := item.Value.([]byte)
		if !ok {
			return refuse("malformed Content-Digest", fmt.Errorf("%s is not a byte sequence", name))
		}
		var got []byte
		switch name {
		case "sha-256":
			s := sha256.Sum256(body)
			got = s[:]
		case "sha-512":
			s := sha512.Sum512(body)
			got = s[:]
		default:
			continue
		}
		if subtle.ConstantTimeCompare(got, want) != 1 {
			return refuse("Content-Digest does not match body", nil)
		}
		checked++
	}
	if checked == 0 {
		return refuse("unsupported Content-Digest algorithm", nil)
	}
	return nil
}

// verify checks the signature over the base checkMessage built, with the
// algorithm alg names, or the key's own when alg is absent (for an RSA
// key, rsa-v1_5-sha256 as Mastodon signs, else rsa-pss-sha512).
func (ms *MessageSignature) verify(key crypto.PublicKey) error {
	if ms.base == nil {
		return refuse("signature not checked", nil)
	}
	var err error
	switch k := key.(type) {
	case *rsa.PublicKey:
		switch ms.Alg {
		case AlgRSAv15SHA256:
			err = verifyPKCS1v15(k, ms.base, ms.Signature)
		case AlgRSAPSSSHA512:
			err = verifyPSS(k, ms.base, ms.Signature)
		case "":
			// An RSA key does not say which of the two it signs with;
			// both are sound, so either is accepted.
			if err = verifyPKCS1v15(k, ms.base, ms.Signature); err != nil {
				err = verifyPSS(k, ms.base, ms.Signature)
			}
		default:
			return refuse("algorithm does not fit the key", errors.New(ms.Alg+" with an RSA key"))
		}
	case ed25519.PublicKey:
		if ms.Alg != "" && ms.Alg != AlgEd25519 {
			return refuse("algorithm does not fit the key", errors.New(ms.Alg+" with an Ed25519 key"))
		}
		if !ed25519.Verify(k, ms.base, ms.Signature) {
			err = errors.New("ed25519: verification error")
		}
	default:
		return refuse("unsupported key type", fmt.Errorf("%T", key))
	}
	if err != nil {
		return refuse("signature does not verify", err)
	}
	return nil
}

func verifyPKCS1v15(k *rsa.PublicKey, base, sig []byte) error {
	h := sha256.Sum256(base)
	return rsa.VerifyPKCS1v15(k, crypto.SHA256, h[:], sig)
}

// verifyPSS checks an rsa-pss-sha512 signature: SHA-512 and MGF1 with
// SHA-512. RFC 9421 section 3.3.1 signs with a 64-byte salt, but Node.js
// signs with the longest salt the key allows unless told otherwise, and
// so does the http-message-signatures package: any salt length is
// accepted, which costs PSS none of its strength.
func verifyPSS(k *rsa.PublicKey, base, sig []byte) error {
	h := sha512.Sum512(base)
	return rsa.VerifyPSS(k, crypto.SHA512, h[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto, Hash: crypto.SHA512})
}
