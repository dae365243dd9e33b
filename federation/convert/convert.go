// Package convert turns our domain values into the ActivityStreams
// documents we send: every activity we deliver (Create, Update and Delete
// of a post, Accept and Reject of a Follow) and the objects they carry (Note,
// Article, Event, Tombstone), which are also what a post's URL serves.
// "What do we send?" is answered here and nowhere else.
//
// Everything go-fed knows is built with its streams; the terms it lacks
// (contentMap next to content, Hashtag, sensitive, Mobilizon's event
// terms) are added to the serialised map.
//
// A Converter reads nothing: callers hand it the organisation, the post
// and the media rows of its attachments, so the same code runs inside a
// transaction and in a GET handler.
//
// Actor, collection and discovery documents stay with the federation
// handlers that serve them: we never deliver them (no profile Update is
// sent), and they are made of what the handler looks up while answering
// (icon and banner rows, pages of followers, the instance key), so they
// read best next to those lookups.
package convert

import "github.com/soga/newsroom/internal/urls"

// Converter makes our documents under one base URL.
type Converter struct {
	urls urls.Builder
}

// New returns a Converter for the URLs of u.
func New(u urls.Builder) *Converter { return &Converter{urls: u} }
