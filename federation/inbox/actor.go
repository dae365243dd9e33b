package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/newsroom"
)

// remoteActorer is what every actor type of the vocabulary offers.
type remoteActorer interface {
	vocab.Type
	GetActivityStreamsInbox() vocab.ActivityStreamsInboxProperty
	GetActivityStreamsPreferredUsername() vocab.ActivityStreamsPreferredUsernameProperty
	GetActivityStreamsName() vocab.ActivityStreamsNameProperty
	GetActivityStreamsUrl() vocab.ActivityStreamsUrlProperty
	GetW3IDSecurityV1PublicKey() vocab.W3IDSecurityV1PublicKeyProperty
}

// parseActor reads an actor document (fetched, or embedded in an Update)
// into a RemoteActor with its key. The key must belong to the actor and
// live on the actor's host.
func parseActor(ctx context.Context, raw map[string]any) (*newsroom.RemoteActor, error) {
	t, err := streams.ToType(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("actor document: %w", err)
	}
	return actorFromType(t, raw)
}

func actorFromType(t vocab.Type, raw map[string]any) (*newsroom.RemoteActor, error) {
	if !ap.IsActorType(t.GetTypeName()) {
		return nil, fmt.Errorf("%s is not an actor type", t.GetTypeName())
	}
	at, ok := t.(remoteActorer)
	if !ok {
		return nil, errors.New("actor without inbox or key")
	}
	a := &newsroom.RemoteActor{ID: typeID(t), Type: t.GetTypeName()}
	if a.ID == "" || !isHTTPURL(a.ID) {
		return nil, errors.New("actor has no valid id")
	}
	host, err := hostOf(a.ID)
	if err != nil {
		return nil, fmt.Errorf("actor id host: %w", err)
	}
	a.Host = host
	if p := at.GetActivityStreamsInbox(); p != nil && p.IsIRI() {
		a.Inbox = p.GetIRI().String()
	}
	if a.Inbox == "" || !isHTTPURL(a.Inbox) {
		return nil, errors.New("actor has no inbox")
	}
	if p := at.GetActivityStreamsPreferredUsername(); p != nil && p.IsXMLSchemaString() {
		a.PreferredUsername = limit(p.GetXMLSchemaString(), 200)
	}
	if p := at.GetActivityStreamsName(); p != nil && p.Len() > 0 && p.At(0).IsXMLSchemaString() {
		a.Name = limit(p.At(0).GetXMLSchemaString(), 200)
	}
	a.URL = profileURL(at.GetActivityStreamsUrl())
	// go-fed v1.0.0 has no "endpoints" property, so the shared inbox is
	// read from the JSON itself.
	if ep, ok := raw["endpoints"].(map[string]any); ok {
		if si, ok := ep["sharedInbox"].(string); ok && isHTTPURL(si) {
			a.SharedInbox = si
		}
	}
	// Mastodon, and us, only ever have one key per actor: take the first
	// that the actor owns.
	if pk := at.GetW3IDSecurityV1PublicKey(); pk != nil {
		for it := pk.Begin(); it != pk.End(); it = it.Next() {
			k := it.Get()
			if k == nil {
				continue
			}
			id := typeID(k)
			owner := ""
			if o := k.GetW3IDSecurityV1Owner(); o != nil && o.IsIRI() {
				owner = o.GetIRI().String()
			}
			pem := ""
			if p := k.GetW3IDSecurityV1PublicKeyPem(); p != nil {
				pem = p.Get()
			}
			if id == "" || pem == "" || owner != a.ID {
				continue
			}
			if !transport.SameHost(id, a.ID) {
				return nil, fmt.Errorf("key %s is not on the actor's host", id)
			}
			a.KeyID, a.PublicKeyPEM = id, pem
			break
		}
	}
	if a.KeyID == "" {
		return nil, errors.New("actor has no public key it owns")
	}
	if !transport.SameHost(a.Inbox, a.ID) {
		// Inboxes on other hosts would let an actor aim our deliveries
		// anywhere; Mastodon keeps them on the actor's host too.
		return nil, errors.New("actor inbox is on another host")
	}
	if a.SharedInbox != "" && !transport.SameHost(a.SharedInbox, a.ID) {
		a.SharedInbox = ""
	}
	a.AlsoKnownAs, a.MovedTo = movingTerms(raw)
	return a, nil
}

// maxAliases bounds the alsoKnownAs we read: an account has a handful.
const maxAliases = 20

// movingTerms reads alsoKnownAs and movedTo, which go-fed v1.0.0 does not
// know, from the JSON: ids as strings or as objects with an id.
func movingTerms(raw map[string]any) (aliases []string, movedTo string) {
	id := func(v any) string {
		if m, ok := v.(map[string]any); ok {
			v = m["id"]
		}
		if s, ok := v.(string); ok && isHTTPURL(s) {
			return s
		}
		return ""
	}
	list, ok := raw["alsoKnownAs"].([]any)
	if !ok && raw["alsoKnownAs"] != nil {
		list = []any{raw["alsoKnownAs"]}
	}
	for _, v := range list {
		if s := id(v); s != "" && len(aliases) < maxAliases {
			aliases = append(aliases, s)
		}
	}
	return aliases, id(raw["movedTo"])
}

// profileURL is the first http(s) link of an actor's url, its page for
// people. It is only ever a link we show, never fetched, so it may be on
// another host (Mastodon's web domain may differ from its actors').
func profileURL(p vocab.ActivityStreamsUrlProperty) string {
	if p == nil {
		return ""
	}
	for it := p.Begin(); it != p.End(); it = it.Next() {
		var u string
		switch {
		case it.IsIRI():
			u = it.GetIRI().String()
		case it.IsActivityStreamsLink():
			if h := it.GetActivityStreamsLink().GetActivityStreamsHref(); h != nil && h.Get() != nil {
				u = h.Get().String()
			}
		}
		if u != "" && len(u) <= 2048 && isHTTPURL(u) {
			return u
		}
	}
	return ""
}

// hostOf returns the normalised host[:port] of an absolute URL.
func hostOf(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	return transport.NormaliseHost(u.Host)
}

func limit(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func decodeMap(body []byte) (map[string]any, error) {
	if err := checkShape(body); err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, err
	}
	return m, nil
}
