// Package store declares storage in domain terms. Two backends implement it,
// sqlite and postgres, and both must pass the conformance suite in
// storetest. Nothing here knows about HTTP.
package store

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/soga/newsroom/internal/newsroom"
)

// Store is an open database.
type Store interface {
	Queries
	// InTx runs fn in one transaction, committed when fn returns nil. Jobs
	// enqueued through tx become visible to workers only on commit.
	InTx(ctx context.Context, fn func(tx Tx) error) error
	Ping(ctx context.Context) error
	// WatchChanges calls onChange after every commit, by any process on
	// this database, that changed what public pages and documents are
	// made from (organisations, posts, media), within about a second; and
	// whenever it cannot know what it missed: once it starts watching and
	// after it lost the database. Writes of what no public page shows
	// (likes, follows, replies, deliveries, jobs) do not call it. It
	// reports errors to onError, keeps trying, and returns when ctx ends.
	WatchChanges(ctx context.Context, onChange func(), onError func(error))
	// Backend names the implementation: "sqlite" or "postgres".
	Backend() string
	Close() error
}

// Tx is a transaction: every query, plus job insertion in the same commit.
type Tx interface {
	Queries
	// Enqueue inserts a job with the insert options its arguments carry
	// (river.JobArgsWithInsertOpts), or River's defaults.
	Enqueue(ctx context.Context, args river.JobArgs) error
	// EnqueueMany inserts several jobs; a nil InsertOpts takes the
	// arguments' own.
	EnqueueMany(ctx context.Context, params []river.InsertManyParams) error
}

// Queries are all reads and writes, grouped by concern.
type Queries interface {
	Orgs
	Users
	Sessions
	Settings
	Posts
	MediaStore
	Actors
	Followers
	FollowerSync
	Interactions
	Replies
	Quotes
	Inbox
	Activities
	Deliveries
	Domains
	Feeds
	Network
}

// Orgs stores organisations (our actors).
type Orgs interface {
	// CreateOrg sets o.ID, CreatedAt and UpdatedAt. ErrConflict on a taken handle.
	CreateOrg(ctx context.Context, o *newsroom.Organisation) error
	UpdateOrg(ctx context.Context, o *newsroom.Organisation) error
	OrgByID(ctx context.Context, id int64) (*newsroom.Organisation, error)
	// OrgByHandle matches the handle case-insensitively.
	OrgByHandle(ctx context.Context, handle string) (*newsroom.Organisation, error)
	ListOrgs(ctx context.Context) ([]newsroom.Organisation, error)
	// SetOrgAliases replaces the actor ids the organisation is also known as.
	SetOrgAliases(ctx context.Context, orgID int64, aliases []string) error
	// SetOrgMoved records the account the organisation moved to, and when;
	// "" and the zero time undo it.
	SetOrgMoved(ctx context.Context, orgID int64, movedTo string, at time.Time) error
}

// Users stores editor accounts and which organisations they edit.
type Users interface {
	// CreateUser sets u.ID, CreatedAt and UpdatedAt. ErrConflict on a taken email.
	CreateUser(ctx context.Context, u *newsroom.User) error
	UpdateUser(ctx context.Context, u *newsroom.User) error
	UserByID(ctx context.Context, id int64) (*newsroom.User, error)
	UserByEmail(ctx context.Context, email string) (*newsroom.User, error)
	ListUsers(ctx context.Context) ([]newsroom.User, error)
	CountUsers(ctx context.Context) (int, error)
	// SetUserOrgs replaces the organisations a user edits.
	SetUserOrgs(ctx context.Context, userID int64, orgIDs []int64) error
	UserOrgIDs(ctx context.Context, userID int64) ([]int64, error)
}

// Sessions stores browser sessions and first-run setup tokens, both by hash.
type Sessions interface {
	CreateSession(ctx context.Context, s newsroom.Session) error
	// SessionByTokenHash returns the session with its user and the
	// organisations the user edits, or ErrNotFound for unknown or expired
	// sessions.
	SessionByTokenHash(ctx context.Context, hash string, now time.Time) (*Login, error)
	DeleteSession(ctx context.Context, hash string) error
	DeleteUserSessions(ctx context.Context, userID int64) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
	CreateSetupToken(ctx context.Context, t newsroom.SetupToken) error
	// ConsumeSetupToken deletes the token; ErrNotFound if unknown or expired.
	ConsumeSetupToken(ctx context.Context, hash string, now time.Time) error
	// CheckSetupToken is ConsumeSetupToken without deleting: nil while the
	// token may still be used, ErrNotFound once used, unknown or expired.
	CheckSetupToken(ctx context.Context, hash string, now time.Time) error
	// DeleteExpiredSetupTokens removes the setup tokens past their time.
	DeleteExpiredSetupTokens(ctx context.Context, now time.Time) (int64, error)
	UserTokens
}

// Login is a session with what every editor request needs of its user,
// read in one query.
type Login struct {
	Session newsroom.Session
	User    newsroom.User
	// OrgIDs are the organisations the user edits, in order; an
	// administrator edits them all, listed or not.
	OrgIDs []int64
}

// UserTokens stores one-time account links (invitations, password
// resets) by hash.
type UserTokens interface {
	CreateUserToken(ctx context.Context, t newsroom.UserToken) error
	// UserTokenByHash returns ErrNotFound for an unknown or expired
	// token, or one of another purpose.
	UserTokenByHash(ctx context.Context, hash string, purpose newsroom.TokenPurpose, now time.Time) (*newsroom.UserToken, error)
	// ConsumeUserToken deletes the token and returns it; ErrNotFound as
	// UserTokenByHash. Of two transactions spending one token, one wins.
	ConsumeUserToken(ctx context.Context, hash string, purpose newsroom.TokenPurpose, now time.Time) (*newsroom.UserToken, error)
	// DeleteUserTokens ends every link of a user, of any purpose.
	DeleteUserTokens(ctx context.Context, userID int64) error
	// DeleteExpiredUserTokens removes the links past their time.
	DeleteExpiredUserTokens(ctx context.Context, now time.Time) (int64, error)
}

// Settings is a small key-value table for instance-wide values such as the
// instance actor's key.
type Settings interface {
	// Setting returns ErrNotFound when key is unset.
	Setting(ctx context.Context, key string) (string, error)
	// SettingOrInit stores value under key unless a value is there already,
	// and returns the stored value: several instances sharing a database
	// agree on one.
	SettingOrInit(ctx context.Context, key, value string) (string, error)
	PutSetting(ctx context.Context, key, value string) error
	// SiteSettings reads the site's identity and zone; a site nobody
	// configured has the zero value.
	SiteSettings(ctx context.Context) (newsroom.SiteSettings, error)
	// PutSiteSettings replaces them and sets s.UpdatedAt.
	PutSiteSettings(ctx context.Context, s *newsroom.SiteSettings) error
}

// PostFilter selects posts for lists, pages and feeds. Zero fields do not
// filter. Results are newest first by (PublishedAt, ID) unless
// UpcomingEvents is set, which orders by event start, soonest first.
type PostFilter struct {
	OrgID    int64
	Status   newsroom.PostStatus
	Kind     newsroom.PostKind
	Tag      string      // matched by newsroom.TagKey: any case, with or without spaces
	Before   *PostCursor // keyset pagination
	Limit    int
	Upcoming time.Time // with Kind=event: only events ending (or starting) at or after this time, soonest first
	Past     time.Time // with Kind=event: only events that ended before this time, latest first
}

// PostCursor is the position after which the next page starts.
type PostCursor struct {
	At time.Time
	ID string
}

// Posts stores posts, including tombstones of deleted ones.
type Posts interface {
	// CreatePost stores p with its tags, event details and media; sets
	// CreatedAt and Version.
	CreatePost(ctx context.Context, p *newsroom.Post) error
	// UpdatePost replaces every field of p and bumps its Version, only if
	// the stored Version is still p.Version: otherwise ErrConflict, and
	// nothing changes. A post that does not exist is ErrNotFound.
	UpdatePost(ctx context.Context, p *newsroom.Post) error
	// PostByID returns tombstones too (Status deleted): callers answer 410.
	PostByID(ctx context.Context, id string) (*newsroom.Post, error)
	// PostWithOrg is PostByID with the post's organisation, in one query.
	PostWithOrg(ctx context.Context, id string) (*newsroom.Post, *newsroom.Organisation, error)
	ListPosts(ctx context.Context, f PostFilter) ([]newsroom.Post, error)
	// ListPostsByStatus lists an organisation's posts of each status in
	// limits, at most that many of each (0: no limit), each in ListPosts'
	// order, in one query: the editor's lists of drafts, scheduled and
	// published posts. A status without posts has no entry.
	ListPostsByStatus(ctx context.Context, orgID int64, limits map[newsroom.PostStatus]int) (map[newsroom.PostStatus][]newsroom.Post, error)
	CountPosts(ctx context.Context, f PostFilter) (int, error)
}

// MediaStore records uploaded images; the bytes live on disk by hash.
type MediaStore interface {
	// PutMedia is idempotent: storing the same hash twice is not an error.
	PutMedia(ctx context.Context, m newsroom.Media) error
	MediaByID(ctx context.Context, id string) (*newsroom.Media, error)
	// MediaWithoutBlurhash returns up to limit rows recorded before
	// blurhashes were computed at upload, oldest first.
	MediaWithoutBlurhash(ctx context.Context, limit int) ([]newsroom.Media, error)
	SetMediaBlurhash(ctx context.Context, id, blurhash string) error
	// SetMediaFocus sets the focal point; a missing row is ErrNotFound.
	SetMediaFocus(ctx context.Context, id string, x, y float64) error
}

// Actors caches remote actors and their keys.
type Actors interface {
	UpsertRemoteActor(ctx context.Context, a *newsroom.RemoteActor) error
	RemoteActorByID(ctx context.Context, id string) (*newsroom.RemoteActor, error)
	RemoteActorByKeyID(ctx context.Context, keyID string) (*newsroom.RemoteActor, error)
	// RemoteActorsByIDs returns the cached actors among ids, by id; ids
	// we hold nothing of are absent.
	RemoteActorsByIDs(ctx context.Context, ids []string) (map[string]newsroom.RemoteActor, error)
	// DeleteRemoteActor removes the actor and everything it did to us:
	// follows, likes, boosts and replies.
	DeleteRemoteActor(ctx context.Context, id string) error
}

// Followers stores who follows which organisation.
type Followers interface {
	// AddFollower inserts or refreshes (inbox, follow id) a follower.
	AddFollower(ctx context.Context, f newsroom.Follower) error
	RemoveFollower(ctx context.Context, orgID int64, actorID string) error
	IsFollower(ctx context.Context, orgID int64, actorID string) (bool, error)
	// FollowerByActor returns newsroom.ErrNotFound for an actor that does
	// not follow orgID.
	FollowerByActor(ctx context.Context, orgID int64, actorID string) (newsroom.Follower, error)
	// ListFollowers pages by CreatedAt then actor id, oldest first.
	ListFollowers(ctx context.Context, orgID int64, offset, limit int) ([]newsroom.Follower, error)
	CountFollowers(ctx context.Context, orgID int64) (int, error)
	// DeliveryInboxes returns the distinct inboxes (shared inbox preferred)
	// of an organisation's followers, leaving out blocked and unavailable
	// domains, sorted.
	DeliveryInboxes(ctx context.Context, orgID int64) ([]string, error)
	// RemoveFollowersByInbox drops the followers delivered through inbox
	// (it answered 410) and returns how many.
	RemoveFollowersByInbox(ctx context.Context, inbox string) (int64, error)
	// MoveFollower makes to (its org id ignored) follow, in place of
	// fromActorID, every organisation fromActorID follows, keeping when
	// it first followed; an organisation to follows already keeps that
	// follow. It returns the organisations concerned.
	MoveFollower(ctx context.Context, fromActorID string, to newsroom.Follower) ([]int64, error)
}

// FollowerSync reads the followers that live on given servers, for the
// partial followers collections of FEP-8fcf.
type FollowerSync interface {
	// FollowersOnHosts returns the actor ids of orgID's followers whose
	// host (newsroom.Follower.Host) is one of hosts, sorted.
	FollowersOnHosts(ctx context.Context, orgID int64, hosts []string) ([]string, error)
}

// Interactions counts likes and boosts idempotently by actor and activity id.
type Interactions interface {
	// AddInteraction returns false when the actor's activity id was seen
	// before, or the actor already made this kind of reaction to the post.
	// Another actor's activity of the same id is no obstacle.
	AddInteraction(ctx context.Context, i newsroom.Interaction) (bool, error)
	// RemoveInteraction undoes by activity id; only actorID's own.
	RemoveInteraction(ctx context.Context, activityID, actorID string) error
	// RemoveInteractionByObject undoes the kind of reaction actorID made to postID.
	RemoveInteractionByObject(ctx context.Context, kind newsroom.InteractionKind, postID, actorID string) error
	CountInteractions(ctx context.Context, postID string) (likes, announces int, err error)
}

// Replies stores remote replies awaiting or past moderation.
type Replies interface {
	// AddReply returns false when the object id was seen before.
	AddReply(ctx context.Context, r newsroom.Reply) (bool, error)
	ReplyByObjectID(ctx context.Context, objectID string) (*newsroom.Reply, error)
	SetReplyStatus(ctx context.Context, objectID string, s newsroom.ReplyStatus) error
	// DeleteReply removes objectID only if actorID wrote it; ErrNotFound otherwise.
	DeleteReply(ctx context.Context, objectID, actorID string) error
	// ListReplies of one post, or of every post of org when postID is "";
	// status "" means any.
	ListReplies(ctx context.Context, orgID int64, postID string, status newsroom.ReplyStatus, offset, limit int) ([]newsroom.Reply, error)
	CountReplies(ctx context.Context, postID string, status newsroom.ReplyStatus) (int, error)
}

// Quotes stores other servers' requests to quote our posts (FEP-044f).
type Quotes interface {
	// AddQuote returns false when the quoting object was seen before for
	// the same post.
	AddQuote(ctx context.Context, q newsroom.Quote) (bool, error)
	QuoteByID(ctx context.Context, id string) (*newsroom.Quote, error)
	QuoteByObject(ctx context.Context, postID, objectID string) (*newsroom.Quote, error)
	// DecideQuote moves a quote from status from to to; ErrNotFound when
	// it is not in from.
	DecideQuote(ctx context.Context, id string, from, to newsroom.QuoteStatus, at time.Time) error
	// ListQuotes of one post, or of every post of org when postID is "";
	// status "" means any.
	ListQuotes(ctx context.Context, orgID int64, postID string, status newsroom.QuoteStatus, offset, limit int) ([]newsroom.Quote, error)
}

// Inbox records accepted incoming activities once. An activity is known
// by its actor and its id together: the same id sent by two actors (of
// one server: an id is on its actor's host) is two activities, so that
// one cannot squat the id of another's Follow or Like.
type Inbox interface {
	// RecordInboxActivity returns false when the actor's activity of this
	// id was recorded before.
	RecordInboxActivity(ctx context.Context, a newsroom.InboxActivity) (bool, error)
	// RecordInboxActivities records several activities, and the
	// interactions of those not seen before, in one transaction. fresh[i]
	// is false when records[i]'s actor and activity id were recorded
	// before, or earlier in records.
	RecordInboxActivities(ctx context.Context, records []newsroom.InboxRecord) (fresh []bool, err error)
	// InboxActivityByID returns actorID's activity id, or ErrNotFound
	// (also when only another actor sent that id).
	InboxActivityByID(ctx context.Context, id, actorID string) (*newsroom.InboxActivity, error)
	// PruneInboxActivities deletes at most limit activities received
	// before the given time, oldest first, and says how many.
	PruneInboxActivities(ctx context.Context, before time.Time, limit int) (int64, error)
}

// Activities stores our own activities as served and delivered.
type Activities interface {
	CreateActivity(ctx context.Context, a *newsroom.Activity) error
	ActivityByID(ctx context.Context, id string) (*newsroom.Activity, error)
	// ListActivities returns an organisation's activities of one type, newest
	// first, starting after the given offset.
	ListActivities(ctx context.Context, orgID int64, typ string, offset, limit int) ([]newsroom.Activity, error)
	CountActivities(ctx context.Context, orgID int64, typ string) (int, error)
	// ListOutbox pages the Creates of an organisation's posts still
	// published, newest first; CountOutbox counts them.
	ListOutbox(ctx context.Context, orgID int64, offset, limit int) ([]newsroom.Activity, error)
	CountOutbox(ctx context.Context, orgID int64) (int, error)
	// LatestDelivered returns a post's latest Create or Update, or
	// ErrNotFound.
	LatestDelivered(ctx context.Context, postID string) (*newsroom.Activity, error)
	// PostStats gives the stats of each of a page's posts (a few dozen
	// ids), in one query whatever their number. Every id has an entry,
	// zero for a post without activities.
	PostStats(ctx context.Context, postIDs []string) (map[string]newsroom.PostStats, error)
}

// Deliveries tracks each activity's journey to each inbox.
type Deliveries interface {
	// CreateDeliveries adds pending rows; existing (activity, inbox) pairs are kept.
	CreateDeliveries(ctx context.Context, activityID string, inboxes []string) error
	UpdateDelivery(ctx context.Context, d newsroom.Delivery) error
	// UpdateDeliveries records several outcomes at once (in one statement
	// where the backend allows); rows that do not exist are skipped.
	UpdateDeliveries(ctx context.Context, ds []newsroom.Delivery) error
	DeliveryProgress(ctx context.Context, activityID string) (newsroom.DeliveryProgress, error)
	ListDeliveries(ctx context.Context, activityID string, status newsroom.DeliveryStatus, limit int) ([]newsroom.Delivery, error)
	// DeliveryByInbox returns one delivery, or ErrNotFound. Once the
	// activity's deliveries are compacted, an inbox without a row reads as
	// delivered.
	DeliveryByInbox(ctx context.Context, activityID, inbox string) (*newsroom.Delivery, error)
	// ListDeliveryTrouble lists the deliveries that failed for good, then
	// the pending ones that failed at least once (limit 0: no limit).
	ListDeliveryTrouble(ctx context.Context, activityID string, limit int) ([]newsroom.Delivery, error)
	// FanoutDone records that every inbox of the activity has its delivery
	// queued, which compaction waits for.
	FanoutDone(ctx context.Context, activityID string) error
	// CompactableDeliveries lists activities whose fan-out is over and
	// that still have delivered rows to fold.
	CompactableDeliveries(ctx context.Context, limit int) ([]string, error)
	// CompactDeliveries folds a finished fan-out's delivered rows into its
	// count and returns how many; 0 when it is not over or already done.
	// Safe to run twice or beside a late outcome.
	CompactDeliveries(ctx context.Context, activityID string) (int64, error)
}

// Domains holds blocked domains and the health of delivery domains.
type Domains interface {
	// AddDomainBlock also removes that domain's followers.
	AddDomainBlock(ctx context.Context, b newsroom.DomainBlock) error
	RemoveDomainBlock(ctx context.Context, domain string) error
	ListDomainBlocks(ctx context.Context) ([]newsroom.DomainBlock, error)
	// IsDomainBlocked matches the domain and its parents (a block of
	// example.com covers social.example.com).
	IsDomainBlocked(ctx context.Context, host string) (bool, error)
	// RecordDomainFailure counts distinct UTC days of failure and marks the
	// host unavailable at the seventh.
	RecordDomainFailure(ctx context.Context, host string, at time.Time) (newsroom.DomainHealth, error)
	// RecordDomainSuccess clears a host's failures and unavailability.
	RecordDomainSuccess(ctx context.Context, host string) error
	DomainHealth(ctx context.Context, host string) (newsroom.DomainHealth, error)
}

// Feeds stores organisations' website feeds and the items seen in them.
type Feeds interface {
	// CreateFeedSource sets s.ID and CreatedAt; ErrConflict when the
	// organisation already has this feed URL.
	CreateFeedSource(ctx context.Context, s *newsroom.FeedSource) error
	UpdateFeedSource(ctx context.Context, s *newsroom.FeedSource) error
	FeedSourceByID(ctx context.Context, id int64) (*newsroom.FeedSource, error)
	// ListFeedSources lists one organisation's sources, or all when orgID is 0.
	ListFeedSources(ctx context.Context, orgID int64) ([]newsroom.FeedSource, error)
	// DeleteFeedSource keeps the record of the items it imported.
	DeleteFeedSource(ctx context.Context, id int64) error
	// FeedItem returns ErrNotFound for an item never seen.
	FeedItem(ctx context.Context, orgID int64, guidHash string) (*newsroom.FeedItem, error)
	// AddFeedItem records an item seen for the first time; ErrConflict
	// when it is known already.
	AddFeedItem(ctx context.Context, it newsroom.FeedItem) error
	// PutFeedItem inserts or replaces the record of an item.
	PutFeedItem(ctx context.Context, it newsroom.FeedItem) error
}

// Network stores the member accounts organisations follow and the posts
// of theirs they boost.
type Network interface {
	// PutNetworkAccount inserts or replaces an account (keeping when it
	// was first added); sets CreatedAt and UpdatedAt.
	PutNetworkAccount(ctx context.Context, a *newsroom.NetworkAccount) error
	NetworkAccount(ctx context.Context, orgID int64, actorID string) (*newsroom.NetworkAccount, error)
	// NetworkAccountsByActor returns every organisation's follow of
	// actorID, in any state.
	NetworkAccountsByActor(ctx context.Context, actorID string) ([]newsroom.NetworkAccount, error)
	// ListNetworkAccounts of orgID (0: every organisation), in state ("":
	// any), oldest first.
	ListNetworkAccounts(ctx context.Context, orgID int64, state newsroom.NetworkState, offset, limit int) ([]newsroom.NetworkAccount, error)
	CountNetworkAccounts(ctx context.Context, orgID int64, state newsroom.NetworkState) (int, error)
	SetNetworkAccountState(ctx context.Context, orgID int64, actorID string, s newsroom.NetworkState) error
	RemoveNetworkAccount(ctx context.Context, orgID int64, actorID string) error
	// LockNetworkAccount, in a transaction, makes other transactions that
	// lock the same account wait until it ends.
	LockNetworkAccount(ctx context.Context, orgID int64, actorID string) error

	// AddBoost returns false when orgID has a boost of that object
	// already, which is left as it was.
	AddBoost(ctx context.Context, b *newsroom.Boost) (bool, error)
	UpdateBoost(ctx context.Context, b *newsroom.Boost) error
	Boost(ctx context.Context, orgID int64, objectID string) (*newsroom.Boost, error)
	BoostsByObject(ctx context.Context, objectID string) ([]newsroom.Boost, error)
	// ListBoosts of orgID (0: every organisation), in state ("": any),
	// newest first by the post's publication.
	ListBoosts(ctx context.Context, orgID int64, state newsroom.BoostState, offset, limit int) ([]newsroom.Boost, error)
	// CountBoostsSince counts orgID's boosts of actorID's posts, in any
	// state, recorded since a time.
	CountBoostsSince(ctx context.Context, orgID int64, actorID string, since time.Time) (int, error)
}
