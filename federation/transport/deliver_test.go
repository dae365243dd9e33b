package transport

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDeliver(t *testing.T) {
	t.Parallel()
	key := testKey(t, 0)
	type seen struct {
		ctype string
		err   error
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, err := VerifyRequest(r, body, time.Now(), staticLookup(&key.PublicKey))
		select {
		case got <- seen{r.Header.Get("Content-Type"), err}:
		default:
		}
		code, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		switch r.URL.Query().Get("retry") {
		case "seconds":
			w.Header().Set("Retry-After", "120")
		case "date":
			w.Header().Set("Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
		}
		if code == http.StatusFound {
			w.Header().Set("Location", "/202")
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(srv.Close)
	c := loopbackClient(nil)

	cases := map[int]Outcome{
		200: Delivered, 202: Delivered, 204: Delivered,
		401: Retry, 408: Retry, 429: Retry, 500: Retry, 502: Retry, 503: Retry, 504: Retry, 302: Retry,
		410: Gone,
		400: Failed, 403: Failed, 404: Failed, 405: Failed, 413: Failed, 422: Failed,
	}
	for code, want := range cases {
		res, err := c.Deliver(t.Context(), srv.URL+"/"+strconv.Itoa(code), []byte(`{"type":"Create"}`), testKeyID, key)
		if res == nil || res.Outcome != want || res.StatusCode != code {
			t.Errorf("%d: got %+v, want %v", code, res, want)
		}
		if (err == nil) != (want == Delivered) {
			t.Errorf("%d: error %v for outcome %v", code, err, want)
		}
		s := <-got
		if s.err != nil || s.ctype != ContentTypeActivity {
			t.Errorf("%d: inbox saw type %q, signature %v", code, s.ctype, s.err)
		}
	}

	res, _ := c.Deliver(t.Context(), srv.URL+"/429?retry=seconds", []byte(`{}`), testKeyID, key)
	if res.Outcome != Retry || res.RetryAfter != 2*time.Minute {
		t.Errorf("Retry-After seconds: %+v", res)
	}
	<-got
	res, _ = c.Deliver(t.Context(), srv.URL+"/503?retry=date", []byte(`{}`), testKeyID, key)
	if res.Outcome != Retry || res.RetryAfter < 58*time.Minute || res.RetryAfter > time.Hour {
		t.Errorf("Retry-After date: %+v", res)
	}
	<-got
}

func TestDeliverNetworkAndAddressErrors(t *testing.T) {
	t.Parallel()
	key := testKey(t, 0)
	srv := httptest.NewServer(http.NotFoundHandler())
	closed := srv.URL
	srv.Close()
	c := loopbackClient(nil)
	res, err := c.Deliver(t.Context(), closed+"/inbox", []byte(`{}`), testKeyID, key)
	if err == nil || res.Outcome != Retry || res.StatusCode != 0 {
		t.Errorf("closed server: %+v, %v", res, err)
	}

	strict := NewClient(Options{LookupIP: fakeDNS(nil)})
	res, err = strict.Deliver(t.Context(), "http://10.0.0.1/inbox", []byte(`{}`), testKeyID, key)
	if !errors.Is(err, ErrForbiddenAddress) || res.Outcome != Failed {
		t.Errorf("private address: %+v, %v", res, err)
	}
	res, err = c.Deliver(t.Context(), "http://127.0.0.1:1/inbox", []byte(`{}`), `bad"key`, key)
	if err == nil || res.Outcome != Failed {
		t.Errorf("unsignable: %+v, %v", res, err)
	}
	res, err = c.Deliver(t.Context(), "::not a url", []byte(`{}`), testKeyID, key)
	if err == nil || res.Outcome != Failed {
		t.Errorf("bad url: %+v, %v", res, err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := testNow
	cases := map[string]time.Duration{
		"":                     0,
		"0":                    0,
		"-5":                   0,
		"30":                   30 * time.Second,
		" 30 ":                 30 * time.Second,
		"soon":                 0,
		"99999999999999999999": 0,
		"9999999999":           maxRetryAfter,
		now.Add(90 * time.Second).Format(http.TimeFormat):    90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):          0,
		now.Add(30 * 24 * time.Hour).Format(http.TimeFormat): maxRetryAfter,
	}
	for in, want := range cases {
		if got := ParseRetryAfter(in, now); got != want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

// A fan-out's deliveries share their body's digest, computed once: the
// inbox sees the Digest given, and a signature over it that verifies
// against the body it received.
func TestSendWithSharedDigest(t *testing.T) {
	t.Parallel()
	key := testKey(t, 0)
	body := []byte(`{"type":"Create","object":{"content":"shared"}}`)
	digest := BodyDigest(body)
	type seen struct {
		digest, signature string
		err               error
	}
	got := make(chan seen, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, err := VerifyRequest(r, b, time.Now(), staticLookup(&key.PublicKey))
		got <- seen{r.Header.Get("Digest"), r.Header.Get("Signature"), err}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	c := loopbackClient(nil)
	for _, inbox := range []string{srv.URL + "/users/ada/inbox", srv.URL + "/users/grace/inbox"} {
		res, err := c.Send(t.Context(), Delivery{Inbox: inbox, Body: body, Digest: digest, KeyID: testKeyID, Key: key})
		if err != nil || res.Outcome != Delivered {
			t.Fatalf("%s: %+v, %v", inbox, res, err)
		}
		s := <-got
		if s.err != nil || s.digest != digest {
			t.Errorf("%s: inbox saw Digest %q (want %q), signature %v", inbox, s.digest, digest, s.err)
		}
		if !strings.HasPrefix(s.signature, `keyId="`+testKeyID+`",algorithm="rsa-sha256",headers="`) {
			t.Errorf("%s: Signature header %q", inbox, s.signature)
		}
	}
}
