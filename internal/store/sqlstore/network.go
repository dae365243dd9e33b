package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

// Tags and languages of a rule are stored space-separated: a tag key has
// no spaces (newsroom.TagKey), nor has a language code.
func joinWords(words []string) string { return strings.Join(words, " ") }

func splitWords(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Fields(s)
}

const networkAccountColumns = `org_id, actor_id, acct, name, inbox, shared_inbox, state, follow_id,
	tags, langs, review, allow_sensitive, created_at, updated_at`

func (q *Queries) scanNetworkAccount(row Row) (newsroom.NetworkAccount, error) {
	var a newsroom.NetworkAccount
	var tags, langs string
	err := row.Scan(&a.OrgID, &a.ActorID, &a.Acct, &a.Name, &a.Inbox, &a.SharedInbox, &a.State, &a.FollowID,
		&tags, &langs, &a.Review, &a.AllowSensitive, q.at(&a.CreatedAt), q.at(&a.UpdatedAt))
	a.Tags, a.Langs = splitWords(tags), splitWords(langs)
	return a, err
}

// PutNetworkAccount inserts a, or replaces everything but when it was
// first added; it sets CreatedAt (when new) and UpdatedAt.
func (q *Queries) PutNetworkAccount(ctx context.Context, a *newsroom.NetworkAccount) error {
	t := q.now()
	if a.CreatedAt.IsZero() {
		a.CreatedAt = t
	}
	a.UpdatedAt = t
	err := q.w.QueryRow(ctx, `
		INSERT INTO network_accounts (`+networkAccountColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_id, actor_id) DO UPDATE SET acct = excluded.acct, name = excluded.name,
			inbox = excluded.inbox, shared_inbox = excluded.shared_inbox, state = excluded.state,
			follow_id = excluded.follow_id, tags = excluded.tags, langs = excluded.langs,
			review = excluded.review, allow_sensitive = excluded.allow_sensitive,
			updated_at = excluded.updated_at
		RETURNING created_at`,
		a.OrgID, a.ActorID, a.Acct, a.Name, a.Inbox, a.SharedInbox, a.State, a.FollowID,
		joinWords(a.Tags), joinWords(a.Langs), a.Review, a.AllowSensitive, q.time(a.CreatedAt), q.time(t)).
		Scan(q.at(&a.CreatedAt))
	return q.Wrap(err, "put network account %s of org %d", a.ActorID, a.OrgID)
}

func (q *Queries) NetworkAccount(ctx context.Context, orgID int64, actorID string) (*newsroom.NetworkAccount, error) {
	a, err := q.scanNetworkAccount(q.r.QueryRow(ctx, `
		SELECT `+networkAccountColumns+` FROM network_accounts WHERE org_id = ? AND actor_id = ?`,
		orgID, actorID))
	if err != nil {
		return nil, q.Wrap(err, "network account %s of org %d", actorID, orgID)
	}
	return &a, nil
}

// NetworkAccountsByActor returns every organisation's follow of actorID,
// in any state.
func (q *Queries) NetworkAccountsByActor(ctx context.Context, actorID string) ([]newsroom.NetworkAccount, error) {
	as, err := List(ctx, q.r, q.scanNetworkAccount, `
		SELECT `+networkAccountColumns+` FROM network_accounts WHERE actor_id = ? ORDER BY org_id`, actorID)
	return as, q.Wrap(err, "network accounts of %s", actorID)
}

// ListNetworkAccounts lists an organisation's accounts (every
// organisation's for orgID 0), in one state or any (""), oldest first.
func (q *Queries) ListNetworkAccounts(ctx context.Context, orgID int64, state newsroom.NetworkState, offset, limit int) ([]newsroom.NetworkAccount, error) {
	w := byOrgAndState(orgID, string(state))
	as, err := List(ctx, q.r, q.scanNetworkAccount, `
		SELECT `+networkAccountColumns+` FROM network_accounts`+w.sql()+`
		ORDER BY org_id, created_at, actor_id LIMIT ? OFFSET ?`,
		append(w.args, q.limit(limit), max(offset, 0))...)
	return as, q.Wrap(err, "list network accounts of org %d", orgID)
}

func (q *Queries) CountNetworkAccounts(ctx context.Context, orgID int64, state newsroom.NetworkState) (int, error) {
	var n int
	err := q.r.QueryRow(ctx, `SELECT count(*) FROM network_accounts WHERE org_id = ? AND (state = ? OR ? = '')`,
		orgID, state, state).Scan(&n)
	return n, q.Wrap(err, "count network accounts of org %d", orgID)
}

// SetNetworkAccountState is ErrNotFound for an account orgID does not follow.
func (q *Queries) SetNetworkAccountState(ctx context.Context, orgID int64, actorID string, s newsroom.NetworkState) error {
	err := mustAffect(q.w.Exec(ctx, `
		UPDATE network_accounts SET state = ?, updated_at = ? WHERE org_id = ? AND actor_id = ?`,
		s, q.time(q.now()), orgID, actorID))
	return q.Wrap(err, "set network account %s of org %d %s", actorID, orgID, s)
}

// LockNetworkAccount writes the account's row without changing it: on
// PostgreSQL that holds its lock until the transaction ends, so that two
// transactions counting its boosts against the limit take turns (SQLite
// has one writer anyway). ErrNotFound for an account orgID does not
// follow.
func (q *Queries) LockNetworkAccount(ctx context.Context, orgID int64, actorID string) error {
	err := mustAffect(q.w.Exec(ctx, `
		UPDATE network_accounts SET state = state WHERE org_id = ? AND actor_id = ?`, orgID, actorID))
	return q.Wrap(err, "lock network account %s of org %d", actorID, orgID)
}

// RemoveNetworkAccount is ErrNotFound for an account orgID does not follow.
func (q *Queries) RemoveNetworkAccount(ctx context.Context, orgID int64, actorID string) error {
	err := mustAffect(q.w.Exec(ctx,
		`DELETE FROM network_accounts WHERE org_id = ? AND actor_id = ?`, orgID, actorID))
	return q.Wrap(err, "remove network account %s of org %d", actorID, orgID)
}

const boostColumns = `org_id, object_id, announce_id, actor_id, state, content_html, author_name,
	author_acct, url, lang, published, created_at, updated_at`

func (q *Queries) scanBoost(row Row) (newsroom.Boost, error) {
	var b newsroom.Boost
	err := row.Scan(&b.OrgID, &b.ObjectID, &b.AnnounceID, &b.ActorID, &b.State, &b.ContentHTML, &b.AuthorName,
		&b.AuthorAcct, &b.URL, &b.Lang, q.at(&b.Published), q.at(&b.CreatedAt), q.at(&b.UpdatedAt))
	return b, err
}

// AddBoost inserts b unless its organisation has that object already, and
// reports whether it did; it sets CreatedAt and UpdatedAt.
func (q *Queries) AddBoost(ctx context.Context, b *newsroom.Boost) (bool, error) {
	t := q.now()
	if b.CreatedAt.IsZero() {
		b.CreatedAt = t
	}
	b.UpdatedAt = t
	n, err := q.w.Exec(ctx, `
		INSERT INTO boosts (`+boostColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_id, object_id) DO NOTHING`,
		b.OrgID, b.ObjectID, b.AnnounceID, b.ActorID, b.State, b.ContentHTML, b.AuthorName,
		b.AuthorAcct, b.URL, b.Lang, q.time(b.Published), q.time(b.CreatedAt), q.time(t))
	return n > 0, q.Wrap(err, "add boost of %s by org %d", b.ObjectID, b.OrgID)
}

// UpdateBoost writes b's state, Announce id and snapshot.
func (q *Queries) UpdateBoost(ctx context.Context, b *newsroom.Boost) error {
	b.UpdatedAt = q.now()
	err := mustAffect(q.w.Exec(ctx, `
		UPDATE boosts SET announce_id = ?, state = ?, content_html = ?, author_name = ?, author_acct = ?,
			url = ?, lang = ?, published = ?, updated_at = ?
		WHERE org_id = ? AND object_id = ?`,
		b.AnnounceID, b.State, b.ContentHTML, b.AuthorName, b.AuthorAcct,
		b.URL, b.Lang, q.time(b.Published), q.time(b.UpdatedAt), b.OrgID, b.ObjectID))
	return q.Wrap(err, "update boost of %s by org %d", b.ObjectID, b.OrgID)
}

func (q *Queries) Boost(ctx context.Context, orgID int64, objectID string) (*newsroom.Boost, error) {
	b, err := q.scanBoost(q.r.QueryRow(ctx, `
		SELECT `+boostColumns+` FROM boosts WHERE org_id = ? AND object_id = ?`, orgID, objectID))
	if err != nil {
		return nil, q.Wrap(err, "boost of %s by org %d", objectID, orgID)
	}
	return &b, nil
}

// BoostsByObject returns every organisation's boost of objectID.
func (q *Queries) BoostsByObject(ctx context.Context, objectID string) ([]newsroom.Boost, error) {
	bs, err := List(ctx, q.r, q.scanBoost, `
		SELECT `+boostColumns+` FROM boosts WHERE object_id = ? ORDER BY org_id`, objectID)
	return bs, q.Wrap(err, "boosts of %s", objectID)
}

// ListBoosts lists boosts in one state (any for ""), of one organisation
// (every one's for orgID 0), newest first by the post's publication.
func (q *Queries) ListBoosts(ctx context.Context, orgID int64, state newsroom.BoostState, offset, limit int) ([]newsroom.Boost, error) {
	w := byOrgAndState(orgID, string(state))
	bs, err := List(ctx, q.r, q.scanBoost, `
		SELECT `+boostColumns+` FROM boosts`+w.sql()+`
		ORDER BY published DESC, object_id DESC LIMIT ? OFFSET ?`,
		append(w.args, q.limit(limit), max(offset, 0))...)
	return bs, q.Wrap(err, "list boosts of org %d", orgID)
}

// CountBoostsSince counts what orgID recorded of actorID's posts since
// a time, in any state: the rate limit of a busy account.
func (q *Queries) CountBoostsSince(ctx context.Context, orgID int64, actorID string, since time.Time) (int, error) {
	var n int
	err := q.r.QueryRow(ctx, `
		SELECT count(*) FROM boosts WHERE org_id = ? AND actor_id = ? AND created_at >= ?`,
		orgID, actorID, q.time(since)).Scan(&n)
	return n, q.Wrap(err, "count boosts of %s by org %d", actorID, orgID)
}

// byOrgAndState selects the rows of one organisation (every one's for 0)
// in one state (any for "").
func byOrgAndState(orgID int64, state string) where {
	var w where
	if orgID != 0 {
		w.add("org_id = ?", orgID)
	}
	if state != "" {
		w.add("state = ?", state)
	}
	return w
}
