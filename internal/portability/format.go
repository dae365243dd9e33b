// Package portability writes an organisation to one archive and reads it
// back on another newsroom, under another domain: its settings, posts,
// images and followers.
//
// The archive is a gzip-compressed tar of:
//
//	org.json        the organisation's settings (and its key pair with --with-key)
//	posts.json      its posts, drafts included, each with its id and old URL
//	followers.json  its followers: actor ids and inboxes
//	media.json      the image rows (type, size, dimensions) and their files
//	media/NAME      the image files, by their stored names
//	manifest.json   format, version, where it came from, and every other
//	                file's size and SHA-256; written last
//
// A reader refuses an archive whose manifest is missing, of another
// format or a newer version, or whose files do not match it: a truncated
// or altered archive imports nothing.
package portability

import (
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

// Format and Version name what manifest.json describes. A new version is
// needed for any change an older reader would misread.
const (
	Format  = "newsroom-org-archive"
	Version = 1
)

// Names of the parts of an archive.
const (
	manifestName  = "manifest.json"
	orgName       = "org.json"
	postsName     = "posts.json"
	followersName = "followers.json"
	mediaListName = "media.json"
	mediaDir      = "media/"
)

// Manifest describes an archive.
type Manifest struct {
	Format    string    `json:"format"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	// Source is where the organisation lived: the newsroom's base URL,
	// its handle and actor id there.
	Source struct {
		BaseURL string `json:"base_url"`
		Handle  string `json:"handle"`
		ActorID string `json:"actor_id"`
	} `json:"source"`
	Posts     int    `json:"posts"`
	Followers int    `json:"followers"`
	Media     int    `json:"media"`
	WithKey   bool   `json:"with_key"`
	Files     []File `json:"files"`
}

// File is one part of the archive other than the manifest.
type File struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Org is org.json.
type Org struct {
	Handle            string              `json:"handle"`
	Name              string              `json:"name"`
	Bio               string              `json:"bio"`
	Website           string              `json:"website"`
	ContactEmail      string              `json:"contact_email"`
	ActorType         newsroom.ActorType  `json:"actor_type"`
	DefaultLang       string              `json:"default_lang"`
	DefaultObjectType newsroom.ObjectType `json:"default_object_type"`
	Icon              string              `json:"icon,omitempty"`   // media id
	Banner            string              `json:"banner,omitempty"` // media id
	BoostsMembers     bool                `json:"boosts_members"`
	AllowsBoosts      bool                `json:"allows_boosts"`
	AlsoKnownAs       []string            `json:"also_known_as,omitempty"`
	CreatedAt         time.Time           `json:"created_at"`
	// With --with-key only.
	PublicKeyPEM  string `json:"public_key_pem,omitempty"`
	PrivateKeyPEM string `json:"private_key_pem,omitempty"`
}

// Post is one entry of posts.json: the post as stored (its id kept, so
// that its new URL differs from the old only by the base and handle) and
// the URL it had.
type Post struct {
	newsroom.Post
	URL string `json:"url"`
}

// Follower is one entry of followers.json.
type Follower struct {
	ActorID     string    `json:"actor_id"`
	Host        string    `json:"host"`
	Inbox       string    `json:"inbox"`
	SharedInbox string    `json:"shared_inbox,omitempty"`
	Since       time.Time `json:"since"`
}

// Media is one image: its row, and the names of its files under media/.
type Media struct {
	newsroom.Media
	Files []string `json:"files"`
}
