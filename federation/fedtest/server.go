package fedtest

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/federation/transport"
)

// ServeHTTP routes the peer's few endpoints.
func (p *Peer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.logRequest(r)
	actorPath := "/users/" + p.Name
	switch {
	case r.URL.Path == "/.well-known/webfinger":
		p.serveWebFinger(w, r)
	case r.URL.Path == "/inbox" || r.URL.Path == actorPath+"/inbox":
		p.serveInbox(w, r)
	case r.URL.Path == actorPath:
		p.serveActor(w, r)
	case r.URL.Path == actorPath+"/followers_synchronization":
		p.serveFollowersSync(w, r)
	case r.URL.Path == actorPath+"/followers" || r.URL.Path == actorPath+"/following" || r.URL.Path == actorPath+"/outbox":
		if !p.allowGet(w, r) {
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"@context": ap.ActivityStreamsNS, "id": p.URL + r.URL.Path, "type": "OrderedCollection", "totalItems": 0,
		})
	default:
		p.serveObject(w, r)
	}
}

func (p *Peer) serveActor(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	gone := p.gone
	name := p.displayName
	aliases, movedTo := append([]string(nil), p.alsoKnownAs...), p.movedTo
	p.mu.Unlock()
	if name == "" {
		name = p.Name
	}
	if gone {
		http.Error(w, "gone", http.StatusGone)
		return
	}
	pubPEM, err := transport.PublicKeyPEM(p.PrivateKey())
	if err != nil {
		http.Error(w, "key", http.StatusInternalServerError)
		return
	}
	doc := map[string]any{
		"@context":                  []any{ap.ActivityStreamsNS, ap.SecurityNS},
		"id":                        p.ActorID,
		"type":                      "Person",
		"preferredUsername":         p.Name,
		"name":                      name,
		"inbox":                     p.Inbox,
		"outbox":                    p.ActorID + "/outbox",
		"followers":                 p.Followers,
		"following":                 p.ActorID + "/following",
		"url":                       p.URL + "/@" + p.Name,
		"manuallyApprovesFollowers": false,
		"discoverable":              true,
		"endpoints":                 map[string]any{"sharedInbox": p.SharedInbox},
		"publicKey": map[string]any{
			"id":           p.KeyID,
			"owner":        p.ActorID,
			"publicKeyPem": pubPEM,
		},
	}
	if len(aliases) > 0 {
		doc["alsoKnownAs"] = aliases
	}
	if movedTo != "" {
		doc["movedTo"] = movedTo
	}
	writeJSON(w, http.StatusOK, doc)
}

func (p *Peer) serveObject(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	doc, ok := p.objects[r.URL.Path]
	p.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	if !p.allowGet(w, r) {
		return
	}
	w.Header().Set("Content-Type", transport.ContentTypeActivity)
	w.Write(doc)
}

// allowGet enforces secure mode: GETs must be signed by a key we can fetch.
func (p *Peer) allowGet(w http.ResponseWriter, r *http.Request) bool {
	if !p.secure.Load() {
		return true
	}
	if _, err := transport.VerifyRequest(r, nil, time.Now(), p.lookupKey); err != nil {
		http.Error(w, "signature required: "+reason(err), http.StatusUnauthorized)
		return false
	}
	return true
}

func (p *Peer) serveWebFinger(w http.ResponseWriter, r *http.Request) {
	res := r.URL.Query().Get("resource")
	if !strings.EqualFold(res, "acct:"+p.Acct()) && res != p.ActorID {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/jrd+json")
	json.NewEncoder(w).Encode(map[string]any{
		"subject": "acct:" + p.Acct(),
		"aliases": []string{p.ActorID},
		"links": []any{
			map[string]any{"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": p.URL + "/@" + p.Name},
			map[string]any{"rel": "self", "type": transport.ContentTypeActivity, "href": p.ActorID},
		},
	})
}

// serveInbox receives an activity the way Mastodon's inbox does: bounded
// body, signature verified with our strict rules, signer must be the
// activity's actor. Everything is recorded, refusals with their reason.
func (p *Peer) serveInbox(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	rec := Received{Path: r.URL.Path, Header: r.Header.Clone(), At: time.Now()}
	rec.Header.Set("Host", r.Host)
	if sp, err := transport.ParseSignatureHeader(r.Header.Get("Signature")); err == nil {
		rec.KeyID = sp.KeyID
	}
	answer := func(status int, refused string) {
		rec.Status, rec.Refused = status, refused
		p.record(rec)
		if refused != "" {
			http.Error(w, refused, status)
			return
		}
		w.WriteHeader(status)
	}

	if r.ContentLength > maxInboxBody {
		answer(http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	body, err := transport.ReadLimited(r.Body, maxInboxBody)
	if err != nil {
		answer(http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	rec.Raw = body
	var activity map[string]any
	if json.Unmarshal(body, &activity) == nil {
		rec.Activity = activity
	}

	if status, retryAfter, ok := p.scripted(); ok {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		answer(status, "scripted status")
		return
	}
	if rec.Activity == nil {
		answer(http.StatusBadRequest, "body is not a JSON object")
		return
	}
	keyID, err := transport.VerifyRequest(r, body, time.Now(), p.lookupKey)
	if err != nil {
		answer(http.StatusUnauthorized, reason(err))
		return
	}
	if owner := p.keyOwner(keyID); owner == "" || owner != rec.Actor() {
		answer(http.StatusUnauthorized, "signer is not the actor")
		return
	}
	p.applyReceived(rec.Activity)
	answer(http.StatusAccepted, "")
}

// scripted pops the next scripted status, if any.
func (p *Peer) scripted() (status int, retryAfter string, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.script) > 0 {
		status, p.script = p.script[0], p.script[1:]
		return status, p.retryAfter, true
	}
	if p.always != 0 {
		return p.always, p.retryAfter, true
	}
	return 0, "", false
}

// lookupKey finds the key of keyID as Mastodon does: from its cache, or by
// a signed fetch of the key's actor, whose publicKey must carry that id and
// name the actor as owner.
func (p *Peer) lookupKey(ctx context.Context, keyID string, refresh bool) (crypto.PublicKey, error) {
	p.mu.Lock()
	c, ok := p.keys[keyID]
	p.mu.Unlock()
	if ok && !refresh {
		return c.key, nil
	}
	actorURL, _, _ := strings.Cut(keyID, "#")
	actor, err := p.Fetch(ctx, actorURL)
	if err != nil {
		return nil, fmt.Errorf("fetch key %s: %w", keyID, err)
	}
	actorID := idOf(actor)
	pk, ok := findKey(actor["publicKey"], keyID)
	if !ok {
		return nil, fmt.Errorf("fetch key %s: actor %s does not publish it", keyID, actorID)
	}
	if owner, _ := pk["owner"].(string); owner != actorID {
		return nil, fmt.Errorf("fetch key %s: owner %q is not the actor %s", keyID, owner, actorID)
	}
	pemText, _ := pk["publicKeyPem"].(string)
	key, err := transport.ParsePublicKey(pemText)
	if err != nil {
		return nil, fmt.Errorf("fetch key %s: %w", keyID, err)
	}
	p.mu.Lock()
	p.keys[keyID] = cachedKey{key: key, owner: actorID}
	p.mu.Unlock()
	return key, nil
}

// findKey returns the publicKey entry whose id is keyID; actors publish
// one object or, rarely, a list.
func findKey(v any, keyID string) (map[string]any, bool) {
	var list []any
	switch x := v.(type) {
	case map[string]any:
		list = []any{x}
	case []any:
		list = x
	}
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && idOf(m) == keyID {
			return m, true
		}
	}
	return nil, false
}

func (p *Peer) keyOwner(keyID string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.keys[keyID].owner
}

func reason(err error) string {
	var ve *transport.VerifyError
	if errors.As(err, &ve) {
		return ve.Reason
	}
	return "signature refused"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", transport.ContentTypeActivity)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// drain reads a little of a body and closes it.
func drain(rc io.ReadCloser) {
	io.Copy(io.Discard, io.LimitReader(rc, 64<<10))
	rc.Close()
}
