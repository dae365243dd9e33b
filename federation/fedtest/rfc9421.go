package fedtest

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	_ "embed"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/testdeps"
)

// The RFC 9421 signatures of tests are made by the http-message-signatures
// npm package (RFC 9421 final, the implementation many JavaScript servers
// use), run by Node.js: a signer written apart from our verifier, so a
// misreading of the RFC on our side is not repeated on both.
const (
	signerPackage = "http-message-signatures@1.0.6"
	signerModule  = "http-message-signatures"
	// RequireNodeEnv, set to 1, makes a missing Node.js or signer package a
	// failure instead of a skip (make test sets it).
	RequireNodeEnv = "NEWSROOM_REQUIRE_NODE"
)

//go:embed sign9421.js
var signScript []byte

// MessageSig says how to sign one request the RFC 9421 way. The zero
// value signs as Mastodon 4.5 verifies: label sig1 over @method,
// @target-uri and content-digest (with a SHA-256 Content-Digest of the
// body), with keyid, alg="rsa-v1_5-sha256" and created set to now.
type MessageSig struct {
	Label      string
	Components []string
	// Params are the signature parameters to write, of keyid, alg,
	// created, expires, in that order.
	Params []string
	Alg    string
	// AlgParam, when set, is written as the alg parameter instead of Alg,
	// for a signature that names an algorithm it was not made with.
	AlgParam string
	Created  time.Time
	Expires  time.Time
	// Digest is the Content-Digest algorithm the signer computes,
	// "sha-256" (when empty) or "sha-512"; "none" leaves the field to the
	// caller (as set in the request, or absent).
	Digest string
	KeyID  string
}

type signJob struct {
	Method   string            `json:"method"`
	URL      string            `json:"url"`
	Headers  map[string]string `json:"headers"`
	Body     string            `json:"body"`
	KeyID    string            `json:"keyId"`
	Alg      string            `json:"alg"`
	Label    string            `json:"label"`
	Fields   []string          `json:"fields"`
	Params   []string          `json:"params"`
	Created  int64             `json:"created,omitempty"`
	Expires  int64             `json:"expires,omitempty"`
	Digest   string            `json:"digest,omitempty"`
	AlgParam string            `json:"algParam,omitempty"`
}

// SignMessage signs r, whose body is body, with key the RFC 9421 way as s
// says, using the independent signer; it sets Content-Digest (unless
// s.Digest is "none"), Signature-Input and Signature. Several requests
// may be signed in one run of Node.js by calling SignMessages.
func SignMessage(t testing.TB, r *http.Request, body []byte, key *rsa.PrivateKey, s MessageSig) {
	t.Helper()
	SignMessages(t, key, []*http.Request{r}, [][]byte{body}, []MessageSig{s})
}

// SignMessages is SignMessage for many requests, signed with one key.
func SignMessages(t testing.TB, key *rsa.PrivateKey, rs []*http.Request, bodies [][]byte, sigs []MessageSig) {
	t.Helper()
	node, module := signerRuntime(t)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	in := struct {
		KeyPEM string    `json:"keyPem"`
		Jobs   []signJob `json:"jobs"`
	}{KeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))}
	for i, r := range rs {
		in.Jobs = append(in.Jobs, newSignJob(r, bodies[i], sigs[i]))
	}
	payload, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "-e", string(signScript))
	cmd.Env = append(os.Environ(), "NODE_PATH="+module)
	cmd.Stdin = bytes.NewReader(payload)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sign with %s: %v: %s", signerPackage, err, stderr.String())
	}
	var added []map[string]string
	if err := json.Unmarshal(out, &added); err != nil || len(added) != len(rs) {
		t.Fatalf("sign with %s: unexpected output %q (%v)", signerPackage, out, err)
	}
	for i, r := range rs {
		for k, v := range added[i] {
			r.Header.Set(k, v)
		}
	}
}

func newSignJob(r *http.Request, body []byte, s MessageSig) signJob {
	j := signJob{Method: r.Method, URL: r.URL.String(), Headers: map[string]string{}, Body: string(body),
		KeyID: s.KeyID, Alg: s.Alg, Label: s.Label, Fields: s.Components, Params: s.Params, Digest: s.Digest,
		AlgParam: s.AlgParam}
	for k, v := range r.Header {
		j.Headers[k] = v[0]
	}
	if r.Host != "" {
		j.Headers["Host"] = r.Host
	}
	if j.Alg == "" {
		j.Alg = "rsa-v1_5-sha256"
	}
	if j.Label == "" {
		j.Label = "sig1"
	}
	if j.Fields == nil {
		j.Fields = []string{"@method", "@target-uri", "content-digest"}
	}
	if j.Params == nil {
		j.Params = []string{"keyid", "alg", "created"}
	}
	switch j.Digest {
	case "":
		j.Digest = "sha-256"
	case "none":
		j.Digest = ""
	}
	created := s.Created
	if created.IsZero() {
		created = time.Now()
	}
	j.Created = created.Unix()
	if !s.Expires.IsZero() {
		j.Expires = s.Expires.Unix()
	}
	return j
}

// signerRuntime finds Node.js and the signer package in the module's
// .cache/node_modules (where .ci/deps installs it), installing it there
// with npm when it is missing.
func signerRuntime(t testing.TB) (node, modules string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		missingNode(t, "Node.js is not installed")
	}
	pkg, err := testdeps.NPM(signerPackage, signerModule, "package.json")
	if err != nil {
		missingNode(t, err.Error())
	}
	return node, filepath.Dir(filepath.Dir(pkg))
}

func missingNode(t testing.TB, what string) {
	t.Helper()
	testdeps.Missing(t, RequireNodeEnv, what)
}
