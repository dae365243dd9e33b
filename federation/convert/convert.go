// Package convert turns our domain values into the ActivityStreams
// documents we send: every activity we deliver (Create, Update and Delete
// of a post, Update of an actor, Accept and Reject of a Follow) and the
// objects they carry (Note, Article, Event, Tombstone, our actors), which
// are also what their URLs serve.
// "What do we send?" is answered here and nowhere else.
//
// Everything go-fed knows is built with its streams; the terms it lacks
// (contentMap next to content, Hashtag, sensitive, Mobilizon's event
// terms) are added to the serialised map.
//
// A Converter reads nothing: callers hand it the organisation, the post
// and the media rows of its attachments (or of an actor's icon and
// banner), so the same code runs inside a transaction and in a GET
// handler.
//
// Collection and discovery documents stay with the federation handlers
// that serve them: we never deliver them, and they are made of what the
// handler looks up while answering (pages of followers), so they read
// best next to those lookups.
package convert

import (
	"net/url"

	"github.com/soga/newsroom/internal/urls"
)

// Converter makes our documents under one base URL.
type Converter struct {
	urls     urls.Builder
	hostname string // host of the base URL without its port
}

// New returns a Converter for the URLs of u.
func New(u urls.Builder) *Converter {
	return &Converter{urls: u, hostname: hostnameOf(u)}
}

// Hostname is the host of the base URL without its port: the domain
// Mastodon compares and the instance actor's name.
func (c *Converter) Hostname() string { return c.hostname }

// hostnameOf returns the host of b's base URL without a port.
func hostnameOf(b urls.Builder) string {
	u, err := url.Parse(b.Base())
	if err != nil {
		return b.Host()
	}
	return u.Hostname()
}
