package transport_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/federation/transport"
)

const msgKeyID = "https://mastodon.test/users/alice#main-key"

var msgKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// verifyServer answers 204 to a request whose signature VerifyRequest
// accepts with key, and 401 with the refusal otherwise: the requests
// cross a real loopback connection, so the signature base is built from
// what Go's server received.
func verifyServer(t *testing.T, key crypto.PublicKey) *httptest.Server {
	t.Helper()
	lookup := func(context.Context, string, bool) (crypto.PublicKey, error) { return key, nil }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if _, err := transport.VerifyRequest(r, body, time.Now(), lookup); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv
}

type msgCase struct {
	name string
	url  string // path and query on the server, /inbox when empty
	sig  fedtest.MessageSig
	// edit changes the signed request before it is sent.
	edit func(r *http.Request, body *[]byte)
	// want is "" for an accepted request, else a part of the refusal.
	want string
}

// Each rule of our RFC 9421 verification refuses a request signed by the
// independent signer that breaks it, and nothing else: the same signer
// makes the accepted requests.
func TestMessageSignatureRules(t *testing.T) {
	key, err := msgKey()
	if err != nil {
		t.Fatal(err)
	}
	srv := verifyServer(t, &key.PublicKey)
	now := time.Now()
	mastodon := []string{"@method", "@target-uri", "content-digest"}
	cases := []msgCase{
		{name: "mastodon shape", sig: fedtest.MessageSig{}},
		{name: "fedify shape", sig: fedtest.MessageSig{Components: []string{"@method", "@target-uri", "@authority", "host", "date", "content-type", "content-length", "content-digest"}}},
		{name: "authority path query", url: "/inbox?page=2", sig: fedtest.MessageSig{Components: []string{"@method", "@authority", "@path", "@query", "content-digest"}}},
		{name: "authority path without query", sig: fedtest.MessageSig{Components: []string{"@method", "@authority", "@path", "content-digest"}}},
		{name: "rsa-pss-sha512", sig: fedtest.MessageSig{Alg: transport.AlgRSAPSSSHA512}},
		{name: "sha-512 digest", sig: fedtest.MessageSig{Digest: "sha-512"}},
		{name: "no alg parameter", sig: fedtest.MessageSig{Params: []string{"keyid", "created"}}},
		{name: "expires ahead", sig: fedtest.MessageSig{Params: []string{"keyid", "alg", "created", "expires"}, Expires: now.Add(5 * time.Minute)}},

		{name: "no @method", sig: fedtest.MessageSig{Components: []string{"@target-uri", "content-digest"}}, want: "must cover @method"},
		{name: "no target", sig: fedtest.MessageSig{Components: []string{"@method", "content-digest"}}, want: "must cover @target-uri"},
		{name: "path without authority", sig: fedtest.MessageSig{Components: []string{"@method", "@path", "content-digest"}}, want: "must cover @target-uri"},
		{name: "query not covered", url: "/inbox?page=2", sig: fedtest.MessageSig{Components: []string{"@method", "@authority", "@path", "content-digest"}}, want: "must cover @target-uri"},
		{name: "no content-digest", sig: fedtest.MessageSig{Components: []string{"@method", "@target-uri"}}, want: "must cover content-digest"},
		{name: "digest of another body", edit: func(_ *http.Request, b *[]byte) { *b = []byte(`{"type":"Undo"}`) }, want: "Content-Digest does not match body"},
		{name: "unknown digest only", sig: fedtest.MessageSig{Digest: "none"}, want: "unsupported Content-Digest algorithm"},
		{name: "digest removed", edit: func(r *http.Request, _ *[]byte) { r.Header.Del("Content-Digest") }, want: "Content-Digest header missing"},
		{name: "no created", sig: fedtest.MessageSig{Params: []string{"keyid", "alg"}}, want: "must have a created time"},
		{name: "created too old", sig: fedtest.MessageSig{Created: now.Add(-61 * time.Minute)}, want: "created too long ago"},
		{name: "created in the future", sig: fedtest.MessageSig{Created: now.Add(61 * time.Minute)}, want: "created in the future"},
		{name: "expired", sig: fedtest.MessageSig{Params: []string{"keyid", "alg", "created", "expires"}, Created: now.Add(-10 * time.Minute), Expires: now.Add(-time.Minute)}, want: "signature expired"},
		{name: "unknown alg", sig: fedtest.MessageSig{AlgParam: "rsa-v1_5-sha1"}, want: "unsupported algorithm"},
		{name: "alg of another key type", sig: fedtest.MessageSig{AlgParam: transport.AlgEd25519}, want: "does not fit the key"},
		{name: "pss signature named pkcs1", sig: fedtest.MessageSig{Alg: transport.AlgRSAPSSSHA512, AlgParam: transport.AlgRSAv15SHA256}, want: "does not verify"},
		{name: "replayed to another path", edit: func(r *http.Request, _ *[]byte) { r.URL.Path = "/orgs/other/inbox" }, want: "does not verify"},
		{name: "replayed with another method", edit: func(r *http.Request, _ *[]byte) { r.Method = http.MethodPut }, want: "does not verify"},
		{name: "no keyid", sig: fedtest.MessageSig{Params: []string{"alg", "created"}}, want: "malformed signature"},
		{name: "cavage value under Signature-Input", edit: func(r *http.Request, _ *[]byte) {
			r.Header.Set("Signature", `keyId="`+msgKeyID+`",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="AAAA"`)
		}, want: "malformed signature"},
	}
	var reqs []*http.Request
	var bodies [][]byte
	var sigs []fedtest.MessageSig
	for _, c := range cases {
		u := c.url
		if u == "" {
			u = "/inbox"
		}
		body := []byte(`{"type":"Follow","id":"` + c.name + `"}`)
		r, err := http.NewRequest(http.MethodPost, srv.URL+u, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Content-Type", transport.ContentTypeActivity)
		r.Header.Set("Date", now.UTC().Format(http.TimeFormat))
		r.Header.Set("Content-Length", strconv.Itoa(len(body)))
		if c.sig.Digest == "none" {
			r.Header.Set("Content-Digest", "md5=:"+base64.StdEncoding.EncodeToString(make([]byte, 16))+":")
		}
		s := c.sig
		s.KeyID = msgKeyID
		if s.Components == nil {
			s.Components = mastodon
		}
		reqs, bodies, sigs = append(reqs, r), append(bodies, body), append(sigs, s)
	}
	fedtest.SignMessages(t, key, reqs, bodies, sigs)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, body := reqs[i], bodies[i]
			if c.edit != nil {
				c.edit(r, &body)
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			r.Header.Set("Content-Length", strconv.Itoa(len(body)))
			code, reason := do(t, r)
			switch {
			case c.want == "" && code != http.StatusNoContent:
				t.Fatalf("refused: %d %s\nSignature-Input: %s", code, reason, r.Header.Get("Signature-Input"))
			case c.want != "" && (code != http.StatusUnauthorized || !strings.Contains(reason, c.want)):
				t.Fatalf("got %d %q, want 401 with %q", code, reason, c.want)
			}
		})
	}
}

// Of several signatures, one that breaks a rule is passed over for one
// that keeps them; a request whose every signature breaks one is refused.
func TestMessageSignatureChoosesAcceptable(t *testing.T) {
	key, err := msgKey()
	if err != nil {
		t.Fatal(err)
	}
	srv := verifyServer(t, &key.PublicKey)
	body := []byte(`{"type":"Like"}`)
	var reqs []*http.Request
	for range 3 {
		r, err := http.NewRequest(http.MethodPost, srv.URL+"/inbox", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Content-Type", transport.ContentTypeActivity)
		reqs = append(reqs, r)
	}
	weak := fedtest.MessageSig{Label: "weak", KeyID: msgKeyID, Components: []string{"content-digest"}}
	strong := fedtest.MessageSig{Label: "strong", KeyID: msgKeyID}
	old := fedtest.MessageSig{Label: "old", KeyID: msgKeyID, Created: time.Now().Add(-2 * time.Hour)}
	fedtest.SignMessages(t, key, reqs, [][]byte{body, body, body}, []fedtest.MessageSig{weak, strong, old})

	both := reqs[0]
	both.Header.Add("Signature-Input", reqs[1].Header.Get("Signature-Input"))
	both.Header.Add("Signature", reqs[1].Header.Get("Signature"))
	if code, reason := do(t, both); code != http.StatusNoContent {
		t.Fatalf("weak then strong: %d %s", code, reason)
	}
	none := reqs[2]
	none.Header.Add("Signature-Input", reqs[0].Header.Values("Signature-Input")[0])
	none.Header.Add("Signature", reqs[0].Header.Values("Signature")[0])
	none.Body = io.NopCloser(bytes.NewReader(body))
	if code, reason := do(t, none); code != http.StatusUnauthorized || !strings.Contains(reason, "created too long ago") {
		t.Fatalf("old then weak: %d %s", code, reason)
	}
}

// Malformed structured fields are refused before any key is looked up.
func TestMessageSignatureMalformed(t *testing.T) {
	t.Parallel()
	sig := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 256))
	good := `sig1=("@method" "@target-uri" "content-digest");created=1700000000;keyid="` + msgKeyID + `"`
	sum := sha256.Sum256(nil)
	cases := map[string][2]string{
		"input not a dictionary":      {`("@method")`, "sig1=:" + sig + ":"},
		"input an item":               {`sig1="@method";keyid="k";created=1`, "sig1=:" + sig + ":"},
		"signature not bytes":         {good, `sig1="` + sig + `"`},
		"signature an inner list":     {good, "sig1=(:" + sig + ":)"},
		"signature missing for label": {good, "sig2=:" + sig + ":"},
		"unterminated inner list":     {`sig1=("@method" "@target-uri"`, "sig1=:" + sig + ":"},
		"component a token":           {`sig1=(@method "@target-uri");keyid="k";created=1`, "sig1=:" + sig + ":"},
		"uppercase component":         {`sig1=("@method" "@target-uri" "Content-Digest");keyid="k";created=1`, "sig1=:" + sig + ":"},
		"unknown derived component":   {`sig1=("@method" "@target-uri" "@status");keyid="k";created=1`, "sig1=:" + sig + ":"},
		"component parameter":         {`sig1=("@method" "@target-uri" "content-digest";sf);keyid="k";created=1`, "sig1=:" + sig + ":"},
		"duplicate component":         {`sig1=("@method" "@method" "@target-uri");keyid="k";created=1`, "sig1=:" + sig + ":"},
		"created a string":            {`sig1=("@method" "@target-uri");keyid="k";created="1"`, "sig1=:" + sig + ":"},
		"created negative":            {`sig1=("@method" "@target-uri");keyid="k";created=-5`, "sig1=:" + sig + ":"},
		"keyid a token":               {`sig1=("@method" "@target-uri");keyid=k;created=1`, "sig1=:" + sig + ":"},
		"keyid with a space":          {`sig1=("@method" "@target-uri");keyid="a b";created=1`, "sig1=:" + sig + ":"},
		"bad base64":                  {good, "sig1=:!!!!:"},
		"empty signature":             {good, "sig1=::"},
		"too many signatures":         {strings.Repeat(good+", ", 8) + strings.Replace(good, "sig1", "sig9", 1), "sig1=:" + sig + ":"},
		"oversized":                   {good + `;x="` + strings.Repeat("a", 17<<10) + `"`, "sig1=:" + sig + ":"},
	}
	for name, c := range cases {
		r := httptest.NewRequest(http.MethodPost, "http://news.test/inbox", nil)
		r.Header.Set("Signature-Input", c[0])
		r.Header.Set("Signature", c[1])
		r.Header.Set("Content-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum[:])+":")
		looked := false
		lookup := func(context.Context, string, bool) (crypto.PublicKey, error) { looked = true; return nil, nil }
		_, err := transport.VerifyRequest(r, nil, time.Unix(1700000000, 0), lookup)
		if err == nil || !strings.Contains(err.Error(), "malformed signature") || looked {
			t.Errorf("%s: %v (key looked up: %v)", name, err, looked)
		}
	}
}

func do(t *testing.T, r *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}
