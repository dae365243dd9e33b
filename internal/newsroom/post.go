package newsroom

import "time"

// PostKind is what editors choose in the form.
type PostKind string

const (
	KindArticle PostKind = "article"
	KindPress   PostKind = "press"
	KindEvent   PostKind = "event"
)

// PostStatus is where a post stands in its life.
type PostStatus string

const (
	StatusDraft     PostStatus = "draft"
	StatusScheduled PostStatus = "scheduled"
	StatusPublished PostStatus = "published"
	StatusDeleted   PostStatus = "deleted" // a tombstone: the id answers 410 forever
)

// Translation is the optional second-language version of a post.
type Translation struct {
	Lang     string
	Title    string
	Summary  string
	BodyMD   string
	BodyHTML string
}

// Post is a news article, press release or event announcement of one
// organisation. Its ID is a ULID that is never reused.
type Post struct {
	ID             string
	OrgID          int64
	Kind           PostKind
	Status         PostStatus
	ObjectType     ObjectType // auto, Note or Article; events are always Event
	Lang           string
	Title          string
	Summary        string // plain text
	BodyMD         string
	BodyHTML       string // rendered and sanitised
	Translation    *Translation
	Tags           []string // without '#', as typed (see CleanTag); compared by TagKey
	ContentWarning string
	SourceURL      string // the original of a post imported from its organisation's website feed; "" if written here
	Event          *Event
	Media          []PostMedia
	Mentions       []Mention // resolved when the post was saved, in order of appearance
	AuthorID       int64     // the user who wrote it, 0 from the CLI
	PublishAt      time.Time // for scheduled posts
	PublishedAt    time.Time
	UpdatedAt      time.Time // last edit after publication; zero if never
	CreatedAt      time.Time
	DeletedAt      time.Time
	Version        int64 // bumped by every write; caches key on it
	// Policy overrides the organisation's where set.
	Policy InteractionPolicy
}

// Event holds the details of an event announcement.
type Event struct {
	Start      time.Time
	End        time.Time // zero when open-ended
	Timezone   string    // IANA name
	PlaceName  string
	Street     string
	PostalCode string
	Locality   string
	Region     string
	Country    string
	OnlineURL  string
	Status     string // CONFIRMED, TENTATIVE, CANCELLED
}

// PostMedia is one image attached to a post, with its required alt text.
type PostMedia struct {
	MediaID string
	Alt     string
}

// Media is an uploaded image stored under its content hash.
type Media struct {
	ID       string // hex SHA-256 of the bytes
	MIMEType string
	Width    int
	Height   int
	Size     int64
	Blurhash string // Mastodon's placeholder while the image loads; "" until computed
	// FocusX and FocusY are where the subject is, in -1..1 from the
	// centre (x to the right, y up), as Mastodon's focalPoint: what a
	// cropped thumbnail keeps in view.
	FocusX, FocusY float64
	CreatedAt      time.Time
}

// Mention is an account a post names as @user@host, resolved (by
// WebFinger and its actor document, or among our organisations) when the
// post was saved, so that publishing later needs no network.
type Mention struct {
	Name  string // "@user@host", as the Mention tag names it
	Actor string // the actor id: the tag's href, and an addressee in cc
	URL   string // the profile page the text links to
	// Inbox receives the post's activities (the shared inbox when the
	// server has one); "" for our own organisations.
	Inbox string
}
