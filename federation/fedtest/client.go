package fedtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/federation/transport"
)

// Resolve finds an actor by WebFinger, as Mastodon's search does: acct is
// user@host (a leading @ or acct: is allowed); the answer must have the
// right subject and a rel=self link of ActivityStreams type. Only http is
// used, since peers live on loopback.
func (p *Peer) Resolve(ctx context.Context, acct string) (string, error) {
	acct = strings.TrimPrefix(strings.TrimPrefix(acct, "acct:"), "@")
	at := strings.LastIndexByte(acct, '@')
	if at <= 0 || at == len(acct)-1 {
		return "", fmt.Errorf("resolve %q: not user@host", acct)
	}
	host := acct[at+1:]
	u := "http://" + host + "/.well-known/webfinger?resource=" + url.QueryEscape("acct:"+acct)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", acct, err)
	}
	req.Header.Set("Accept", "application/jrd+json")
	resp, err := p.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", acct, err)
	}
	defer drain(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("resolve %s: status %d", acct, resp.StatusCode)
	}
	var jrd struct {
		Subject string `json:"subject"`
		Links   []struct {
			Rel  string `json:"rel"`
			Type string `json:"type"`
			Href string `json:"href"`
		} `json:"links"`
	}
	body, err := transport.ReadLimited(resp.Body, maxInboxBody)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", acct, err)
	}
	if err := json.Unmarshal(body, &jrd); err != nil {
		return "", fmt.Errorf("resolve %s: %w", acct, err)
	}
	if !strings.EqualFold(jrd.Subject, "acct:"+acct) {
		return "", fmt.Errorf("resolve %s: subject is %q", acct, jrd.Subject)
	}
	for _, l := range jrd.Links {
		if l.Rel == "self" && transport.IsActivityContentType(l.Type) && l.Href != "" {
			return l.Href, nil
		}
	}
	return "", fmt.Errorf("resolve %s: no rel=self ActivityStreams link", acct)
}

// Fetch GETs an ActivityStreams document signed with the user's key and
// checks it as Mastodon does: 200, an ActivityStreams content type, and an
// id equal to the URL fetched (without fragment). Redirects are not
// followed.
func (p *Peer) Fetch(ctx context.Context, u string) (map[string]any, error) {
	u, _, _ = strings.Cut(u, "#")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	req.Header.Set("Accept", transport.AcceptActivity)
	if err := transport.SignRequest(req, nil, p.KeyID, p.PrivateKey(), time.Now()); err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	defer drain(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: status %d", u, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !transport.IsActivityContentType(ct) {
		return nil, fmt.Errorf("fetch %s: content type %q", u, ct)
	}
	body, err := transport.ReadLimited(resp.Body, maxInboxBody)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	if id := idOf(doc); id != u {
		return nil, fmt.Errorf("fetch %s: document id is %q", u, id)
	}
	return doc, nil
}

// FetchActor fetches an actor and checks what Mastodon needs of one: an
// actor type, preferredUsername, inbox, and a publicKey with an id, this
// actor as owner and a parsable PEM.
func (p *Peer) FetchActor(ctx context.Context, u string) (map[string]any, error) {
	doc, err := p.Fetch(ctx, u)
	if err != nil {
		return nil, err
	}
	typ, _ := doc["type"].(string)
	if !ap.IsActorType(typ) {
		return nil, fmt.Errorf("actor %s: type %q", u, typ)
	}
	for _, f := range []string{"preferredUsername", "inbox"} {
		if s, _ := doc[f].(string); s == "" {
			return nil, fmt.Errorf("actor %s: no %s", u, f)
		}
	}
	pk, _ := doc["publicKey"].(map[string]any)
	if pk == nil || idOf(pk) == "" {
		return nil, fmt.Errorf("actor %s: no publicKey", u)
	}
	if owner, _ := pk["owner"].(string); owner != u {
		return nil, fmt.Errorf("actor %s: key owner %q", u, owner)
	}
	pemText, _ := pk["publicKeyPem"].(string)
	if _, err := transport.ParsePublicKey(pemText); err != nil {
		return nil, fmt.Errorf("actor %s: %w", u, err)
	}
	return doc, nil
}

// SignedRequest builds a POST of body to inbox signed like Mastodon's,
// for tests that want to alter it before sending with HTTPClient().
func (p *Peer) SignedRequest(ctx context.Context, inbox string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, inbox, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("request to %s: %w", inbox, err)
	}
	req.Header.Set("Content-Type", transport.ContentTypeActivity)
	if err := transport.SignRequest(req, body, p.KeyID, p.PrivateKey(), time.Now()); err != nil {
		return nil, err
	}
	return req, nil
}

// Send POSTs activity to inbox, signed by the user. The response body is
// already read; closing it is optional.
func (p *Peer) Send(ctx context.Context, inbox string, activity map[string]any) (*http.Response, error) {
	return p.SendWithSync(ctx, inbox, activity, "")
}

// Do sends req with the peer's loopback-only client and reads the response
// body, so that callers need not close it.
func (p *Peer) Do(req *http.Request) (*http.Response, error) {
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := transport.ReadLimited(resp.Body, maxInboxBody)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

// HTTPClient is the peer's loopback-only client.
func (p *Peer) HTTPClient() *http.Client { return p.client }

// WaitFor waits until the peer has received something match accepts and
// returns it; it polls, so match must be cheap.
func (p *Peer) WaitFor(ctx context.Context, match func(Received) bool) (Received, error) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, r := range p.Received() {
			if match(r) {
				return r, nil
			}
		}
		select {
		case <-ctx.Done():
			return Received{}, errors.Join(ctx.Err(), fmt.Errorf("peer %s received: %s", p.Name, p.summary()))
		case <-tick.C:
		}
	}
}

// summary lists what was received, for failure messages.
func (p *Peer) summary() string {
	var parts []string
	for _, r := range p.Received() {
		s := fmt.Sprintf("%s %s from %s → %d", r.Path, r.Type(), r.Actor(), r.Status)
		if r.Refused != "" {
			s += " (" + r.Refused + ")"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, "; ")
}
