package transport_test

import (
	"bytes"
	"context"
	"crypto"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/federation/transport"
)

// What verifying costs, without the key fetch: a Mastodon-shaped 2 KB
// Create signed draft-cavage by us, and the same signed the RFC 9421 way
// by the independent signer, verified against the same key. The cavage
// figure is the reference for the RFC 9421 one.
func BenchmarkVerifySignature(b *testing.B) {
	key, err := msgKey()
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"type":"Create","object":{"content":"` + strings.Repeat("x", 2000) + `"}}`)
	const inbox = "https://news.test/orgs/acme/inbox"
	newReq := func() *http.Request {
		r, err := http.NewRequest(http.MethodPost, inbox, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		r.Header.Set("Content-Type", transport.ContentTypeActivity)
		return r
	}
	cavage := newReq()
	if err := transport.SignRequest(cavage, body, msgKeyID, key, time.Now()); err != nil {
		b.Fatal(err)
	}
	message := newReq()
	fedtest.SignMessage(b, message, body, key, fedtest.MessageSig{KeyID: msgKeyID})
	lookup := func(context.Context, string, bool) (crypto.PublicKey, error) { return &key.PublicKey, nil }
	for _, c := range []struct {
		name string
		r    *http.Request
	}{{"cavage", cavage}, {"rfc9421", message}} {
		b.Run(c.name, func(b *testing.B) {
			now := time.Now()
			for b.Loop() {
				if _, err := transport.VerifyRequest(c.r, body, now, lookup); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
