package newsroom

import (
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// ActorType is the ActivityStreams type an organisation is published as.
type ActorType string

const (
	ActorOrganization ActorType = "Organization"
	ActorGroup        ActorType = "Group"
	ActorService      ActorType = "Service"
)

// ObjectType chooses how posts federate: Mastodon shows a Note's full text
// but reduces an Article to title, summary and link, so the choice matters.
type ObjectType string

const (
	ObjectAuto    ObjectType = "auto"
	ObjectNote    ObjectType = "Note"
	ObjectArticle ObjectType = "Article"
)

// Organisation is the association or one of its members. Each one is an
// ActivityPub actor that fediverse users follow.
type Organisation struct {
	ID                int64
	Handle            string // preferredUsername, lowercase, unique
	Name              string
	Bio               string // plain text or Markdown written by an administrator
	Website           string
	ContactEmail      string
	ActorType         ActorType
	DefaultLang       string
	DefaultObjectType ObjectType
	IconMediaID       string // empty when unset
	BannerMediaID     string
	PublicKeyPEM      string
	PrivateKeyPEM     string // never logged, never served
	CreatedAt         time.Time
	UpdatedAt         time.Time
	// BoostsMembers: this organisation (the association) boosts the posts
	// of the organisations here that allow it. AllowsBoosts: this
	// organisation lets them; each member opts in.
	BoostsMembers bool
	AllowsBoosts  bool
	// MovedTo is the actor id of the account the organisation moved to,
	// "" while it has not; MovedAt when. AlsoKnownAs are the actor ids of
	// its other accounts (the one it came from), which a follower's
	// server checks before following a Move to us.
	MovedTo     string
	MovedAt     time.Time
	AlsoKnownAs []string
	// Policy is the default of its posts; an unset field is
	// DefaultPolicy's.
	Policy InteractionPolicy
}

// Moved reports whether the organisation has left for another account.
func (o *Organisation) Moved() bool { return o.MovedTo != "" }

// Compiled when first used, not at start: its counted repetition
// compiles to 62 copies of the class, held for good by a server that
// may never need it.
var handleRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$`)
})

// NormaliseHandle lowercases and trims a handle as users type it, with or
// without a leading @ and host.
func NormaliseHandle(h string) string {
	h = strings.TrimSpace(strings.ToLower(h))
	h = strings.TrimPrefix(h, "@")
	if i := strings.IndexByte(h, '@'); i >= 0 {
		h = h[:i]
	}
	return h
}

// reservedHandles would collide with the instance actor or confuse people.
var reservedHandles = map[string]bool{
	"actor": true, "admin": true, "root": true, "inbox": true, "instance": true,
	"newsroom": true, "postmaster": true, "webmaster": true, "abuse": true,
}

// Validate checks the fields an administrator sets.
func (o *Organisation) Validate() error {
	var v ValidationError
	if !handleRE().MatchString(o.Handle) {
		v.Add("handle", "handle_invalid")
	} else if reservedHandles[o.Handle] {
		v.Add("handle", "handle_reserved")
	}
	if strings.TrimSpace(o.Name) == "" {
		v.Add("name", "required")
	}
	switch o.ActorType {
	case ActorOrganization, ActorGroup, ActorService:
	default:
		v.Add("actor_type", "invalid")
	}
	switch o.DefaultObjectType {
	case ObjectAuto, ObjectNote, ObjectArticle:
	default:
		v.Add("default_object_type", "invalid")
	}
	if !ValidLang(o.DefaultLang) {
		v.Add("default_lang", "invalid")
	}
	if o.Website != "" {
		u, err := url.Parse(o.Website)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			v.Add("website", "url_invalid")
		}
	}
	if o.ContactEmail != "" && ValidateEmail(o.ContactEmail) != nil {
		v.Add("contact", "email_invalid")
	}
	o.Policy.Validate(&v, true)
	return v.Err()
}

// SupportedLangs are the content languages editors may choose.
var SupportedLangs = []string{"fr", "en", "de", "es", "it", "nl", "pt"}

// ValidLang reports whether lang is a language we publish in.
func ValidLang(lang string) bool {
	for _, l := range SupportedLangs {
		if l == lang {
			return true
		}
	}
	return false
}
