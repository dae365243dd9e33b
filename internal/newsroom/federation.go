package newsroom

import "time"

// RemoteActor is what we know of an actor on another server: enough to
// verify its signatures and deliver to it.
type RemoteActor struct {
	ID                string // its URI
	Host              string // normalised host of ID
	Type              string
	PreferredUsername string
	Name              string
	// URL is the actor's profile page for people, which Mastodon serves
	// at https://host/@user rather than at the id.
	URL          string
	Inbox        string
	SharedInbox  string
	KeyID        string
	PublicKeyPEM string
	FetchedAt    time.Time
	// AlsoKnownAs and MovedTo are read from the document when it is
	// fetched, for checking a move, and not stored.
	AlsoKnownAs []string
	MovedTo     string
}

// KnownAs reports whether the actor lists id among its aliases.
func (a *RemoteActor) KnownAs(id string) bool {
	for _, alias := range a.AlsoKnownAs {
		if alias == id {
			return true
		}
	}
	return false
}

// Follower is a remote actor following one of our organisations.
type Follower struct {
	OrgID       int64
	ActorID     string
	Host        string
	Inbox       string
	SharedInbox string
	FollowID    string // id of the Follow activity we accepted
	CreatedAt   time.Time
}

// DeliveryInbox returns the inbox a delivery should go to: the shared inbox
// when the follower's server has one.
func (f Follower) DeliveryInbox() string {
	if f.SharedInbox != "" {
		return f.SharedInbox
	}
	return f.Inbox
}

// InteractionKind is a reaction to one of our posts.
type InteractionKind string

const (
	InteractionLike     InteractionKind = "like"
	InteractionAnnounce InteractionKind = "announce"
)

// Interaction is a like or a boost of one of our posts, keyed by the id of
// the activity that made it so a replay counts once.
type Interaction struct {
	ActivityID string
	Kind       InteractionKind
	PostID     string
	ActorID    string
	CreatedAt  time.Time
}

// ReplyStatus is where a reply stands in moderation.
type ReplyStatus string

const (
	ReplyPending  ReplyStatus = "pending"
	ReplyApproved ReplyStatus = "approved"
	ReplyHidden   ReplyStatus = "hidden"
)

// Reply is a remote Note answering one of our posts. ContentHTML has been
// sanitised; it is never shown before an editor approves it.
type Reply struct {
	ObjectID    string // the Note's id
	ActivityID  string
	PostID      string
	ActorID     string
	URL         string
	ContentHTML string
	Status      ReplyStatus
	Published   time.Time
	CreatedAt   time.Time
}

// InboxActivity is an activity accepted by an inbox, stored before its side
// effects are applied so a crash after 202 loses nothing.
type InboxActivity struct {
	ID         string // the activity's id
	ActorID    string
	Type       string
	OrgID      int64 // 0 for the shared inbox
	Raw        []byte
	ReceivedAt time.Time
}

// InboxRecord is an accepted activity with, for a like or a boost of one
// of our posts, the interaction it adds: what the inbox writes for most of
// what it receives, many at a time.
type InboxRecord struct {
	Activity InboxActivity
	// Interaction is nil for none; its ActivityID and ActorID are the
	// activity's.
	Interaction *Interaction
}

// Activity is one of our own activities (Create, Update, Delete, Accept),
// stored as the exact JSON we deliver and serve at /activities/{id}.
type Activity struct {
	ID        string // ULID
	OrgID     int64
	Type      string
	PostID    string // empty for activities not about a post
	JSON      []byte
	CreatedAt time.Time
}

// DeliveryStatus is the state of one activity to one inbox.
type DeliveryStatus string

const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryFailed    DeliveryStatus = "failed"
)

// Delivery tracks one activity sent to one inbox, for the progress view.
type Delivery struct {
	ActivityID string
	Inbox      string
	Status     DeliveryStatus
	Attempts   int
	LastError  string
	// Reason says what went wrong in a form the editor translates into
	// plain words: "refused", "timeout:10", "status:503", "gone:410"… (see
	// federation/delivery.Reason). Empty when nothing went wrong, or for
	// rows written before reasons were kept.
	Reason string
	// NextAttempt is when a pending delivery that failed runs again.
	NextAttempt time.Time
	UpdatedAt   time.Time
}

// DeliveryProgress sums the deliveries of one activity. Retrying counts
// the pending deliveries that failed at least once.
type DeliveryProgress struct {
	Total, Delivered, Pending, Failed int
	Retrying                          int
	// Compacted says the fan-out is over and its delivered rows were
	// folded into the counts; only its failures are still listed.
	Compacted bool
}

// PostStats is what the editor's lists show of a published post: the
// delivery of its latest Create or Update (Activity and ActivityID ""
// when it has none), and the reactions and replies it drew.
type PostStats struct {
	Activity       string // Create or Update
	ActivityID     string
	Progress       DeliveryProgress
	Likes, Boosts  int
	Replies        int
	PendingReplies int // awaiting moderation
}

// DomainBlock is a remote domain an administrator refuses.
type DomainBlock struct {
	Domain    string
	Reason    string
	CreatedAt time.Time
}

// DomainHealth tracks failing delivery domains: after failures on seven
// distinct days a domain is unavailable until it answers or writes to us.
type DomainHealth struct {
	Host        string
	FailureDays int
	LastFailure time.Time
	Unavailable bool
}
