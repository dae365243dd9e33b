package transport

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const testKeyID = "https://mastodon.test/users/alice#main-key"

var testNow = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// staticLookup always returns key.
func staticLookup(key crypto.PublicKey) KeyLookup {
	return func(context.Context, string, bool) (crypto.PublicKey, error) { return key, nil }
}

func signedPost(t *testing.T, body string, key *rsa.PrivateKey, now time.Time) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, "https://news.test/orgs/acme/inbox", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/activity+json")
	if err := SignRequest(r, []byte(body), testKeyID, key, now); err != nil {
		t.Fatal(err)
	}
	return r
}

func signedGet(t *testing.T, u string, key *rsa.PrivateKey, now time.Time) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Accept", AcceptActivity)
	if err := SignRequest(r, nil, testKeyID, key, now); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSignAndVerify(t *testing.T) {
	t.Parallel()
	key := testKey(t, 0)
	body := `{"type":"Follow"}`
	r := signedPost(t, body, key, testNow)
	id, err := VerifyRequest(r, []byte(body), testNow, staticLookup(&key.PublicKey))
	if err != nil || id != testKeyID {
		t.Fatalf("post: %q, %v", id, err)
	}
	g := signedGet(t, "https://news.test/orgs/acme?page=2", key, testNow)
	if _, err := VerifyRequest(g, nil, testNow.Add(59*time.Minute), staticLookup(&key.PublicKey)); err != nil {
		t.Fatalf("get: %v", err)
	}
}

// TestOurSignatureByHand checks our signatures with code that shares
// nothing with the verifier: the signing string rebuilt from the draft.
func TestOurSignatureByHand(t *testing.T) {
	t.Parallel()
	key := testKey(t, 0)
	body := `{"type":"Create"}`
	r := signedPost(t, body, key, testNow)
	sum := sha256.Sum256([]byte(body))
	if got, want := r.Header.Get("Digest"), "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]); got != want {
		t.Fatalf("Digest %q, want %q", got, want)
	}
	if got := r.Header.Get("Date"); got != "Sat, 14 Mar 2026 15:09:26 GMT" {
		t.Fatalf("Date %q", got)
	}
	params := handParse(t, r.Header.Get("Signature"))
	if params["keyId"] != testKeyID || params["algorithm"] != "rsa-sha256" ||
		params["headers"] != "(request-target) host date digest content-type" {
		t.Fatalf("signature params %v", params)
	}
	signed := strings.Join([]string{
		"(request-target): post /orgs/acme/inbox",
		"host: news.test",
		"date: " + r.Header.Get("Date"),
		"digest: " + r.Header.Get("Digest"),
		"content-type: application/activity+json",
	}, "\n")
	handVerify(t, &key.PublicKey, signed, params["signature"])

	g := signedGet(t, "https://news.test/orgs/acme/outbox?page=true", key, testNow)
	params = handParse(t, g.Header.Get("Signature"))
	if params["headers"] != "(request-target) host date accept" {
		t.Fatalf("get headers %q", params["headers"])
	}
	signed = strings.Join([]string{
		"(request-target): get /orgs/acme/outbox?page=true",
		"host: news.test",
		"date: " + g.Header.Get("Date"),
		"accept: " + AcceptActivity,
	}, "\n")
	handVerify(t, &key.PublicKey, signed, params["signature"])
}

// handParse splits a Signature header the simple way Mastodon does.
func handParse(t *testing.T, h string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, part := range strings.Split(h, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			t.Fatalf("odd signature part %q in %q", part, h)
		}
		out[k] = v[1 : len(v)-1]
	}
	return out
}

func handVerify(t *testing.T, pub *rsa.PublicKey, signed, sig64 string) {
	t.Helper()
	sig, err := base64.StdEncoding.DecodeString(sig64)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(signed))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("hand verification of\n%s\nfailed: %v", signed, err)
	}
}

// mastodonSign signs like Mastodon: the signing string built by hand,
// RSA PKCS#1 v1.5 over SHA-256, headers in the given order.
func mastodonSign(t *testing.T, r *http.Request, key *rsa.PrivateKey, headers []string, target string) {
	t.Helper()
	var lines []string
	for _, h := range headers {
		if h == "(request-target)" {
			lines = append(lines, "(request-target): "+strings.ToLower(r.Method)+" "+target)
			continue
		}
		v := r.Header.Get(h)
		if h == "host" {
			v = r.Host
		}
		lines = append(lines, h+": "+v)
	}
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Signature", `keyId="`+testKeyID+`",algorithm="rsa-sha256",headers="`+strings.Join(headers, " ")+`",signature="`+base64.StdEncoding.EncodeToString(sig)+`"`)
}

// mastodonPost builds a POST as Mastodon sends it, received by a server.
func mastodonPost(t *testing.T, body string, date time.Time) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "https://news.test/orgs/acme/inbox", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/activity+json")
	r.Header.Set("Date", date.UTC().Format(http.TimeFormat))
	sum := sha256.Sum256([]byte(body))
	r.Header.Set("Digest", "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]))
	return r
}

var mastodonPostHeaders = []string{"(request-target)", "host", "date", "digest", "content-type"}

func TestVerifyMastodonSignatures(t *testing.T) {
	t.Parallel()
	key := testKey(t, 0)
	lookup := staticLookup(&key.PublicKey)
	body := `{"type":"Like"}`

	r := mastodonPost(t, body, testNow)
	mastodonSign(t, r, key, mastodonPostHeaders, "/orgs/acme/inbox")
	if _, err := VerifyRequest(r, []byte(body), testNow, lookup); err != nil {
		t.Errorf("mastodon POST: %v", err)
	}

	// GET as the instance actor, query included (Mastodon 4.2 and later)
	// and left out (older versions).
	for _, target := range []string{"/orgs/acme/outbox?page=true", "/orgs/acme/outbox"} {
		g := httptest.NewRequest(http.MethodGet, "https://news.test/orgs/acme/outbox?page=true", nil)
		g.Header.Set("Date", testNow.Format(http.TimeFormat))
		g.Header.Set("Accept", "application/activity+json, application/ld+json")
		mastodonSign(t, g, key, []string{"(request-target)", "host", "date", "accept"}, target)
		if _, err := VerifyRequest(g, nil, testNow, lookup); err != nil {
			t.Errorf("mastodon GET signed over %s: %v", target, err)
		}
	}
}

// TestVerifyRefusals replays every refusal listed in the security notes.
func TestVerifyRefusals(t *testing.T) {
	t.Parallel()
	key := testKey(t, 0)
	other := testKey(t, 1)
	body := `{"type":"Delete"}`
	const target = "/orgs/acme/inbox"

	cases := []struct {
		name   string
		build  func() (*http.Request, []byte)
		reason string
	}{
		{"signed only over date", func() (*http.Request, []byte) {
			r := mastodonPost(t, body, testNow)
			mastodonSign(t, r, key, []string{"date"}, target)
			return r, []byte(body)
		}, "signature must cover (request-target)"},
		{"headers parameter absent", func() (*http.Request, []byte) {
			r := mastodonPost(t, body, testNow)
			mastodonSign(t, r, key, []string{"date"}, target)
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), `headers="date",`, "", 1))
			return r, []byte(body)
		}, "signature must list its headers"},
		{"unknown algorithm", func() (*http.Request, []byte) {
			r := mastodonPost(t, body, testNow)
			mastodonSign(t, r, key, mastodonPostHeaders, target)
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), "rsa-sha256", "hmac-sha256", 1))
			return r, []byte(body)
		}, "unsupported algorithm"},
		{"body does not match digest", func() (*http.Request, []byte) {
			r := mastodonPost(t, body, testNow)
			mastodonSign(t, r, key, mastodonPostHeaders, target)
			return r, []byte(`{"type":"Delete","object":"https://news.test/orgs/acme"}`)
		}, "Digest does not match body"},
		{"unknown digest algorithm", func() (*http.Request, []byte) {
			r := mastodonPost(t, body, testNow)
			r.Header.Set("Digest", "MD5=Sd/dVLAcvNLSq16eXua5uQ==")
			mastodonSign(t, r, key, mastodonPostHeaders, target)
			return r, []byte(body)
		}, "unsupported Digest algorithm"},
		{"digest header missing", func() (*http.Request, []byte) {
			r := mastodonPost(t, body, testNow)
			r.Header.Del("Digest")
			mastodonSign(t, r, key, []string{"(request-target)", "host", "date", "digest"}, target)
			return r, []byte(body)
		}, "Digest header missing"},
		{"digest not covered on POST", func() (*http.Request, []byte) {
			r := mastodonPost(t, body, testNow)
			mastodonSign(t, r, key, []string{"(request-target)", "host", "date"}, target)
			return r, []byte(body)
		}, "signature must cover digest"},
		{"date two hours old", func() (*http.Request, []byte) {
			r := mastodonPost(t, body, testNow.Add(-2*time.Hour))
			mastodonSign(t, r, key, mastodonPostHeaders, target)
			return r, []byte(body)
		}, "Date too old"},
		{"date an hour and a minute ahead", func() (*http.Request, []byte) {
			r := mastodonPost(t, body, testNow.Add(61*time.Minute))
			mastodonSign(t, r, key, mastodonPostHeaders, target)
			return r, []byte(body)
		}, "Date in the future"},
		{"malformed date", func() (*http.Request, []byte) {
			r := mastodonPost(t, body, testNow)
			r.Header.Set("Date", "yesterday")
			mastodonSign(t, r, key, mastodonPostHeaders, target)
			return r, []byte(body)
		}, "malformed Date"},
		{"path and method not covered", func() (*http.Request, []byte) {
			r := mastodonPost(t, body, testNow)
			mastodonSign(t, r, key, []string{"host", "date", "digest", "content-type"}, target)
			return r, []byte(body)
		}, "signature must cover (request-target)"},
		{"signed for another path", func() (*http.Request, []byte) {
			r := mastodonPost(t, body, testNow)
			mastodonSign(t, r, key, mastodonPostHeaders, "/orgs/other/inbox")
			return r, []byte(body)
		}, "signature does not verify"},
		{"signed for another method", func() (*http.Request, []byte) {
			r := mastodonPost(t, body, testNow)
			mastodonSign(t, r, key, mastodonPostHeaders, target)
			r.Method = http.MethodPut
			return r, []byte(body)
		}, "signature does not verify"},
		{"host not covered on GET", func() (*http.Request, []byte) {
			r := httptest.NewRequest(http.MethodGet, "https://news.test/orgs/acme", nil)
			r.Header.Set("Date", testNow.Format(http.TimeFormat))
			mastodonSign(t, r, key, []string{"(request-target)", "date"}, "/orgs/acme")
			return r, nil
		}, "signature must cover host"},
		{"host changed", func() (*http.Request, []byte) {
			r := mastodonPost(t, body, testNow)
			mastodonSign(t, r, key, mastodonPostHeaders, target)
			r.Host = "elsewhere.test"
			return r, []byte(body)
		}, "signature does not verify"},
		{"wrong key", func() (*http.Request, []byte) {
			r := mastodonPost(t, body, testNow)
			mastodonSign(t, r, other, mastodonPostHeaders, target)
			return r, []byte(body)
		}, "signature does not verify"},
		{"not signed", func() (*http.Request, []byte) {
			return mastodonPost(t, body, testNow), []byte(body)
		}, "request not signed"},
		{"two signatures", func() (*http.Request, []byte) {
			r := mastodonPost(t, body, testNow)
			mastodonSign(t, r, key, mastodonPostHeaders, target)
			r.Header.Add("Signature", r.Header.Get("Signature"))
			return r, []byte(body)
		}, "more than one Signature header"},
		{"garbage", func() (*http.Request, []byte) {
			r := mastodonPost(t, body, testNow)
			r.Header.Set("Signature", `keyId="x",signature="%%%"`)
			return r, []byte(body)
		}, "malformed signature"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, b := c.build()
			_, err := VerifyRequest(r, b, testNow, staticLookup(&key.PublicKey))
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a VerifyError", err)
			}
			if ve.Reason != c.reason {
				t.Fatalf("reason %q, want %q (%v)", ve.Reason, c.reason, err)
			}
		})
	}
}

// TestVerifyRefreshesKey: a failure with the cached key fetches the key
// again once; a key that still fails is refused.
func TestVerifyRefreshesKey(t *testing.T) {
	t.Parallel()
	oldKey, newKey := testKey(t, 1), testKey(t, 0)
	body := `{"type":"Update"}`
	var calls, refreshes atomic.Int32
	lookup := func(_ context.Context, keyID string, refresh bool) (crypto.PublicKey, error) {
		calls.Add(1)
		if refresh {
			refreshes.Add(1)
			return &newKey.PublicKey, nil
		}
		return &oldKey.PublicKey, nil
	}
	r := signedPost(t, body, newKey, testNow)
	if _, err := VerifyRequest(r, []byte(body), testNow, lookup); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
	if calls.Load() != 2 || refreshes.Load() != 1 {
		t.Fatalf("lookups %d, refreshes %d", calls.Load(), refreshes.Load())
	}

	// A good key needs no refresh.
	calls.Store(0)
	r = signedPost(t, body, oldKey, testNow)
	if _, err := VerifyRequest(r, []byte(body), testNow, lookup); err != nil || calls.Load() != 1 {
		t.Fatalf("cached key: %v after %d lookups", err, calls.Load())
	}

	// A policy refusal costs no lookup at all.
	calls.Store(0)
	r = signedPost(t, body, oldKey, testNow.Add(-3*time.Hour))
	if _, err := VerifyRequest(r, []byte(body), testNow, lookup); err == nil || calls.Load() != 0 {
		t.Fatalf("stale date: %v after %d lookups", err, calls.Load())
	}

	// Lookup failures are refusals that keep their cause.
	errUnknown := errors.New("unknown actor")
	failing := func(context.Context, string, bool) (crypto.PublicKey, error) { return nil, errUnknown }
	r = signedPost(t, body, oldKey, testNow)
	if _, err := VerifyRequest(r, []byte(body), testNow, failing); !errors.Is(err, errUnknown) {
		t.Fatalf("failing lookup: %v", err)
	}
}

// TestSignConcurrently signs with one key from many goroutines.
func TestSignConcurrently(t *testing.T) {
	t.Parallel()
	key := testKey(t, 0)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := []byte(`{"n":` + string(rune('0'+i%10)) + `}`)
			r, _ := http.NewRequest(http.MethodPost, "https://news.test/inbox", bytes.NewReader(body))
			r.Header.Set("Content-Type", ContentTypeActivity)
			if err := SignRequest(r, body, testKeyID, key, testNow); err != nil {
				errs <- err
				return
			}
			if _, err := VerifyRequest(r, body, testNow, staticLookup(&key.PublicKey)); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestSignedRequestOverTheWire sends signed requests to a real server and
// verifies them there, where Go moves Host out of the headers and the path
// arrives escaped.
func TestSignedRequestOverTheWire(t *testing.T) {
	t.Parallel()
	key := testKey(t, 0)
	results := make(chan error, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, err := VerifyRequest(r, body, time.Now(), staticLookup(&key.PublicKey))
		results <- err
	}))
	t.Cleanup(srv.Close)
	c := loopbackClient(nil)
	for _, path := range []string{"/orgs/acme/inbox", "/users/a%40b/inbox?x=1&y=%2F", "/tags/caf%C3%A9"} {
		body := []byte(`{"type":"Follow"}`)
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", ContentTypeActivity)
		if err := SignRequest(req, body, testKeyID, key, time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if err := <-results; err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}

func TestSignRequestRefusesBadInput(t *testing.T) {
	t.Parallel()
	key := testKey(t, 0)
	r, _ := http.NewRequest(http.MethodGet, "https://news.test/", nil)
	if err := SignRequest(r, nil, `bad"id`, key, testNow); err == nil {
		t.Error("key id with a quote accepted")
	}
	if err := SignRequest(r, nil, testKeyID, nil, testNow); err == nil {
		t.Error("nil key accepted")
	}
}
