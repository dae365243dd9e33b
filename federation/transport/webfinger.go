package transport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// maxWebFinger caps a WebFinger answer: a few links, a few hundred bytes.
const maxWebFinger = 64 << 10

// ErrNoActor: the WebFinger answer names no ActivityStreams actor.
var ErrNoActor = errors.New("webfinger: no actor link")

// WebFinger finds the actor id of acct ("user@host", with or without a
// leading "@" or "acct:") by asking its host, over scheme ("https"; "http"
// only for a test instance), through the client's address checks.
func (c *Client) WebFinger(ctx context.Context, scheme, acct string) (string, error) {
	acct = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(acct), "acct:"), "@")
	user, host, ok := strings.Cut(acct, "@")
	if !ok || user == "" || host == "" || strings.ContainsAny(host, "/?#@") {
		return "", fmt.Errorf("webfinger: %q is not user@host", acct)
	}
	u := url.URL{Scheme: scheme, Host: host, Path: "/.well-known/webfinger",
		RawQuery: url.Values{"resource": {"acct:" + acct}}.Encode()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fmt.Errorf("webfinger %s: %w", acct, err)
	}
	req.Header.Set("Accept", "application/jrd+json, application/json")
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("webfinger %s: %w", acct, err)
	}
	if resp.StatusCode != http.StatusOK {
		discard(resp)
		return "", fmt.Errorf("webfinger %s: %w", acct, &StatusError{URL: u.String(), Code: resp.StatusCode})
	}
	defer resp.Body.Close()
	body, err := ReadLimited(resp.Body, maxWebFinger)
	if err != nil {
		return "", fmt.Errorf("webfinger %s: %w", acct, err)
	}
	var doc struct {
		Links []struct {
			Rel, Type, Href string
		} `json:"links"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("webfinger %s: %w", acct, err)
	}
	for _, l := range doc.Links {
		if l.Rel != "self" || !isActivityType(l.Type) {
			continue
		}
		if h, err := url.Parse(l.Href); err == nil && (h.Scheme == "https" || h.Scheme == "http") && h.Host != "" {
			return l.Href, nil
		}
	}
	return "", fmt.Errorf("webfinger %s: %w", acct, ErrNoActor)
}

func isActivityType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/activity+json" || mt == "application/ld+json")
}
