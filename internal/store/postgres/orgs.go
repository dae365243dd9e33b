package postgres

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

const orgColumns = `id, handle, name, bio, website, contact_email, actor_type,
	default_lang, default_object_type, icon_media_id, banner_media_id,
	public_key_pem, private_key_pem, created_at, updated_at`

func scanOrg(row scanner) (newsroom.Organisation, error) {
	var o newsroom.Organisation
	err := row.Scan(&o.ID, &o.Handle, &o.Name, &o.Bio, &o.Website, &o.ContactEmail,
		&o.ActorType, &o.DefaultLang, &o.DefaultObjectType, &o.IconMediaID,
		&o.BannerMediaID, &o.PublicKeyPEM, &o.PrivateKeyPEM, at(&o.CreatedAt), at(&o.UpdatedAt))
	return o, err
}

func (q *queries) CreateOrg(ctx context.Context, o *newsroom.Organisation) error {
	t := q.now()
	err := q.db.QueryRow(ctx, `
		INSERT INTO organisations (handle, name, bio, website, contact_email, actor_type,
			default_lang, default_object_type, icon_media_id, banner_media_id,
			public_key_pem, private_key_pem, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
		RETURNING id`,
		o.Handle, o.Name, o.Bio, o.Website, o.ContactEmail, o.ActorType,
		o.DefaultLang, o.DefaultObjectType, o.IconMediaID, o.BannerMediaID,
		o.PublicKeyPEM, o.PrivateKeyPEM, t).Scan(&o.ID)
	if err != nil {
		return wrapErr(err, "create org %q", o.Handle)
	}
	o.CreatedAt, o.UpdatedAt = t, t
	return nil
}

func (q *queries) UpdateOrg(ctx context.Context, o *newsroom.Organisation) error {
	t := q.now()
	err := mustAffect(q.db.Exec(ctx, `
		UPDATE organisations SET handle = $1, name = $2, bio = $3, website = $4,
			contact_email = $5, actor_type = $6, default_lang = $7, default_object_type = $8,
			icon_media_id = $9, banner_media_id = $10, public_key_pem = $11,
			private_key_pem = $12, updated_at = $13
		WHERE id = $14`,
		o.Handle, o.Name, o.Bio, o.Website, o.ContactEmail, o.ActorType,
		o.DefaultLang, o.DefaultObjectType, o.IconMediaID, o.BannerMediaID,
		o.PublicKeyPEM, o.PrivateKeyPEM, t, o.ID))
	if err != nil {
		return wrapErr(err, "update org %d", o.ID)
	}
	o.UpdatedAt = t
	return nil
}

func (q *queries) OrgByID(ctx context.Context, id int64) (*newsroom.Organisation, error) {
	o, err := scanOrg(q.db.QueryRow(ctx,
		`SELECT `+orgColumns+` FROM organisations WHERE id = $1`, id))
	if err != nil {
		return nil, wrapErr(err, "org %d", id)
	}
	return &o, nil
}

func (q *queries) OrgByHandle(ctx context.Context, handle string) (*newsroom.Organisation, error) {
	o, err := scanOrg(q.db.QueryRow(ctx,
		`SELECT `+orgColumns+` FROM organisations WHERE lower(handle) = lower($1)`, handle))
	if err != nil {
		return nil, wrapErr(err, "org by handle %q", handle)
	}
	return &o, nil
}

func (q *queries) ListOrgs(ctx context.Context) ([]newsroom.Organisation, error) {
	orgs, err := list(ctx, q.db, scanOrg,
		`SELECT `+orgColumns+` FROM organisations ORDER BY handle`)
	return orgs, wrapErr(err, "list orgs")
}
