package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

const orgColumns = `id, handle, name, bio, website, contact_email, actor_type,
	default_lang, default_object_type, icon_media_id, banner_media_id,
	public_key_pem, private_key_pem, created_at, updated_at, boosts_members, allows_boosts,
	moved_to, moved_at, also_known_as,
	policy_quote, policy_reply, policy_like, policy_announce`

func (q *Queries) scanOrg(row Row) (newsroom.Organisation, error) {
	var o newsroom.Organisation
	dest, done := q.orgDest(&o)
	err := row.Scan(dest...)
	done()
	return o, err
}

// orgDest returns the scan destinations of orgColumns into o, and what to
// run once the row is read.
func (q *Queries) orgDest(o *newsroom.Organisation) ([]any, func()) {
	var aliases string
	dest := []any{&o.ID, &o.Handle, &o.Name, &o.Bio, &o.Website, &o.ContactEmail,
		&o.ActorType, &o.DefaultLang, &o.DefaultObjectType, &o.IconMediaID,
		&o.BannerMediaID, &o.PublicKeyPEM, &o.PrivateKeyPEM, q.at(&o.CreatedAt), q.at(&o.UpdatedAt),
		&o.BoostsMembers, &o.AllowsBoosts, &o.MovedTo, q.at(&o.MovedAt), &aliases,
		&o.Policy.Quote, &o.Policy.Reply, &o.Policy.Like, &o.Policy.Announce}
	return dest, func() {
		if aliases != "" {
			o.AlsoKnownAs = strings.Fields(aliases)
		}
	}
}

func (q *Queries) CreateOrg(ctx context.Context, o *newsroom.Organisation) error {
	t := q.now()
	err := q.w.QueryRow(ctx, `
		INSERT INTO organisations (handle, name, bio, website, contact_email, actor_type,
			default_lang, default_object_type, icon_media_id, banner_media_id,
			public_key_pem, private_key_pem, created_at, updated_at, boosts_members, allows_boosts,
			policy_quote, policy_reply, policy_like, policy_announce)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`,
		o.Handle, o.Name, o.Bio, o.Website, o.ContactEmail, o.ActorType,
		o.DefaultLang, o.DefaultObjectType, o.IconMediaID, o.BannerMediaID,
		o.PublicKeyPEM, o.PrivateKeyPEM, q.time(t), q.time(t), o.BoostsMembers, o.AllowsBoosts,
		o.Policy.Quote, o.Policy.Reply, o.Policy.Like, o.Policy.Announce).Scan(&o.ID)
	if err != nil {
		return q.Wrap(err, "create org %q", o.Handle)
	}
	o.CreatedAt, o.UpdatedAt = t, t
	return nil
}

func (q *Queries) UpdateOrg(ctx context.Context, o *newsroom.Organisation) error {
	t := q.now()
	err := mustAffect(q.w.Exec(ctx, `
		UPDATE organisations SET handle = ?, name = ?, bio = ?, website = ?,
			contact_email = ?, actor_type = ?, default_lang = ?, default_object_type = ?,
			icon_media_id = ?, banner_media_id = ?, public_key_pem = ?,
			private_key_pem = ?, updated_at = ?, boosts_members = ?, allows_boosts = ?,
			policy_quote = ?, policy_reply = ?, policy_like = ?, policy_announce = ?
		WHERE id = ?`,
		o.Handle, o.Name, o.Bio, o.Website, o.ContactEmail, o.ActorType,
		o.DefaultLang, o.DefaultObjectType, o.IconMediaID, o.BannerMediaID,
		o.PublicKeyPEM, o.PrivateKeyPEM, q.time(t), o.BoostsMembers, o.AllowsBoosts,
		o.Policy.Quote, o.Policy.Reply, o.Policy.Like, o.Policy.Announce, o.ID))
	if err != nil {
		return q.Wrap(err, "update org %d", o.ID)
	}
	o.UpdatedAt = t
	return nil
}

func (q *Queries) OrgByID(ctx context.Context, id int64) (*newsroom.Organisation, error) {
	o, err := q.scanOrg(q.r.QueryRow(ctx,
		`SELECT `+orgColumns+` FROM organisations WHERE id = ?`, id))
	if err != nil {
		return nil, q.Wrap(err, "org %d", id)
	}
	return &o, nil
}

func (q *Queries) OrgByHandle(ctx context.Context, handle string) (*newsroom.Organisation, error) {
	o, err := q.scanOrg(q.r.QueryRow(ctx,
		`SELECT `+orgColumns+` FROM organisations WHERE lower(handle) = lower(?)`, handle))
	if err != nil {
		return nil, q.Wrap(err, "org by handle %q", handle)
	}
	return &o, nil
}

func (q *Queries) ListOrgs(ctx context.Context) ([]newsroom.Organisation, error) {
	orgs, err := List(ctx, q.r, q.scanOrg,
		`SELECT `+orgColumns+` FROM organisations ORDER BY handle`)
	return orgs, q.Wrap(err, "list orgs")
}

// SetOrgAliases replaces the actor ids an organisation is also known as.
// They are kept apart from UpdateOrg's columns: the profile form never
// writes them.
func (q *Queries) SetOrgAliases(ctx context.Context, orgID int64, aliases []string) error {
	err := mustAffect(q.w.Exec(ctx,
		`UPDATE organisations SET also_known_as = ?, updated_at = ? WHERE id = ?`,
		strings.Join(aliases, "\n"), q.time(q.now()), orgID))
	return q.Wrap(err, "set aliases of org %d", orgID)
}

// SetOrgMoved records that an organisation moved to the actor movedTo at
// a time; "" (and the zero time) says it has not.
func (q *Queries) SetOrgMoved(ctx context.Context, orgID int64, movedTo string, at time.Time) error {
	err := mustAffect(q.w.Exec(ctx,
		`UPDATE organisations SET moved_to = ?, moved_at = ?, updated_at = ? WHERE id = ?`,
		movedTo, q.time(at), q.time(q.now()), orgID))
	return q.Wrap(err, "set org %d moved", orgID)
}
