package postgres

import (
	"context"

	"github.com/soga/newsroom/internal/newsroom"
)

const userColumns = `id, email, name, password_hash, is_admin, lang, created_at, updated_at`

func scanUser(row scanner) (newsroom.User, error) {
	var u newsroom.User
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.IsAdmin, &u.Lang,
		at(&u.CreatedAt), at(&u.UpdatedAt))
	return u, err
}

func (q *queries) CreateUser(ctx context.Context, u *newsroom.User) error {
	t := q.now()
	err := q.db.QueryRow(ctx, `
		INSERT INTO users (email, name, password_hash, is_admin, lang, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6)
		RETURNING id`,
		u.Email, u.Name, u.PasswordHash, u.IsAdmin, u.Lang, t).Scan(&u.ID)
	if err != nil {
		return wrapErr(err, "create user %q", u.Email)
	}
	u.CreatedAt, u.UpdatedAt = t, t
	return nil
}

func (q *queries) UpdateUser(ctx context.Context, u *newsroom.User) error {
	t := q.now()
	err := mustAffect(q.db.Exec(ctx, `
		UPDATE users SET email = $1, name = $2, password_hash = $3, is_admin = $4, lang = $5,
			updated_at = $6
		WHERE id = $7`,
		u.Email, u.Name, u.PasswordHash, u.IsAdmin, u.Lang, t, u.ID))
	if err != nil {
		return wrapErr(err, "update user %d", u.ID)
	}
	u.UpdatedAt = t
	return nil
}

func (q *queries) UserByID(ctx context.Context, id int64) (*newsroom.User, error) {
	u, err := scanUser(q.db.QueryRow(ctx,
		`SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if err != nil {
		return nil, wrapErr(err, "user %d", id)
	}
	return &u, nil
}

func (q *queries) UserByEmail(ctx context.Context, email string) (*newsroom.User, error) {
	u, err := scanUser(q.db.QueryRow(ctx,
		`SELECT `+userColumns+` FROM users WHERE lower(email) = lower($1)`, email))
	if err != nil {
		return nil, wrapErr(err, "user by email")
	}
	return &u, nil
}

func (q *queries) ListUsers(ctx context.Context) ([]newsroom.User, error) {
	users, err := list(ctx, q.db, scanUser, `SELECT `+userColumns+` FROM users ORDER BY email`)
	return users, wrapErr(err, "list users")
}

func (q *queries) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := q.db.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, wrapErr(err, "count users")
}

func (q *queries) SetUserOrgs(ctx context.Context, userID int64, orgIDs []int64) error {
	err := q.withTx(ctx, func(q *queries) error {
		if _, err := q.db.Exec(ctx, `DELETE FROM user_orgs WHERE user_id = $1`, userID); err != nil {
			return err
		}
		_, err := q.db.Exec(ctx, `
			INSERT INTO user_orgs (user_id, org_id)
			SELECT $1, unnest($2::bigint[])
			ON CONFLICT DO NOTHING`, userID, orgIDs)
		return err
	})
	return wrapErr(err, "set orgs of user %d", userID)
}

func (q *queries) UserOrgIDs(ctx context.Context, userID int64) ([]int64, error) {
	ids, err := list(ctx, q.db, scanInt64,
		`SELECT org_id FROM user_orgs WHERE user_id = $1 ORDER BY org_id`, userID)
	return ids, wrapErr(err, "orgs of user %d", userID)
}

func scanInt64(row scanner) (int64, error) {
	var n int64
	err := row.Scan(&n)
	return n, err
}
