// Package ap holds the ActivityStreams vocabulary every document of ours
// shares: the @context, serialisation with it, parsing the URLs a
// document is built from, and the few names (Public, the actor types)
// that both what we send and what we read agree on. It imports nothing
// of ours, so the handlers, the converter, the inbox and the test peer
// can all use it.
package ap

import (
	"fmt"
	"net/url"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// Public is the special collection that makes an object public.
const Public = "https://www.w3.org/ns/activitystreams#Public"

// actorTypes are the types Mastodon accepts as accounts.
var actorTypes = map[string]bool{"Person": true, "Organization": true, "Group": true, "Service": true, "Application": true}

// IsActorType reports whether an object of type typ is an actor: an
// account that can follow, be followed and sign.
func IsActorType(typ string) bool { return actorTypes[typ] }

// IDProperty makes an id property of u.
func IDProperty(u *url.URL) vocab.JSONLDIdProperty {
	p := streams.NewJSONLDIdProperty()
	p.Set(u)
	return p
}

// IRIParser parses the URLs of a document, keeping the first error so
// that building one reads as a plain list of fields. Our URLs come from
// the validated base URL, so an error here is a bug, not bad input.
type IRIParser struct{ Err error }

// Parse returns s as a URL, or an empty URL after recording the error.
func (p *IRIParser) Parse(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		if p.Err == nil {
			p.Err = fmt.Errorf("parse %q: %w", s, err)
		}
		return &url.URL{}
	}
	return u
}
