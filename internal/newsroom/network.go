package newsroom

import (
	"slices"
	"strings"
	"time"
)

// NetworkState is where an organisation's follow of a member account
// stands.
type NetworkState string

const (
	// NetworkPending: our Follow is sent, no answer yet.
	NetworkPending NetworkState = "pending"
	// NetworkFollowing: the account accepted; its public posts are boosted.
	NetworkFollowing NetworkState = "following"
	// NetworkRefused: it rejected our Follow, blocked us or unfollowed us.
	NetworkRefused NetworkState = "refused"
	// NetworkGone: it deleted itself or moved elsewhere.
	NetworkGone NetworkState = "gone"
)

// NetworkAccount is a fediverse account of a member that an organisation
// follows to boost what it publishes, with the editorial rules that choose
// which of its posts.
type NetworkAccount struct {
	OrgID       int64
	ActorID     string
	Acct        string // user@host, as WebFinger names it
	Name        string // display name
	Inbox       string
	SharedInbox string
	State       NetworkState
	FollowID    string // id of our Follow activity
	// Tags and Langs restrict boosts to posts carrying one of the tags
	// (compared by TagKey) or written in one of the languages; empty
	// means any.
	Tags           []string
	Langs          []string
	Review         bool // matching posts wait for an editor
	AllowSensitive bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// RemotePost is a public post of a followed account, as the inbox read it:
// what the rules look at and what the public page shows.
type RemotePost struct {
	ObjectID    string
	ActorID     string
	InReplyTo   string // "" for a post that answers none
	URL         string
	ContentHTML string // sanitised
	Tags        []string
	Lang        string
	Sensitive   bool
	Published   time.Time
}

// Matches reports whether the account's rules take p.
func (a NetworkAccount) Matches(p RemotePost) bool {
	if p.Sensitive && !a.AllowSensitive {
		return false
	}
	if len(a.Langs) > 0 && !slices.Contains(a.Langs, LangBase(p.Lang)) {
		return false
	}
	if len(a.Tags) == 0 {
		return true
	}
	for _, t := range p.Tags {
		if slices.Contains(a.Tags, TagKey(t)) {
			return true
		}
	}
	return false
}

// LangBase is the primary subtag of a language tag, lower case: "fr" for
// "fr-BE", so a rule for "fr" takes every French.
func LangBase(lang string) string {
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	return strings.ToLower(lang)
}

// BoostState is where a member's post stands with an organisation.
type BoostState string

const (
	BoostQueued  BoostState = "queued"  // waiting for an editor
	BoostDone    BoostState = "boosted" // our Announce is out
	BoostUndone  BoostState = "undone"  // the post was deleted or made private: Undo sent
	BoostRefused BoostState = "refused" // an editor said no
)

// Boost is one member post an organisation boosted, or was asked to. The
// snapshot (content, author) is what the public Network page shows.
type Boost struct {
	OrgID       int64
	ObjectID    string // the boosted post's id, boosted at most once per organisation
	AnnounceID  string // id of our Announce, "" until boosted
	ActorID     string // the author
	State       BoostState
	ContentHTML string // sanitised
	AuthorName  string
	AuthorAcct  string
	URL         string
	Lang        string
	Published   time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}
