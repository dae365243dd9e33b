package postgres

import "context"

func (q *queries) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := q.db.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	return v, wrapErr(err, "setting %q", key)
}

// SettingOrInit inserts, or reads the value that won: the row a concurrent
// insert committed first is visible to the second statement.
func (q *queries) SettingOrInit(ctx context.Context, key, value string) (string, error) {
	var v string
	err := q.withTx(ctx, func(q *queries) error {
		if _, err := q.db.Exec(ctx, `
			INSERT INTO settings (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
			return err
		}
		return q.db.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	})
	return v, wrapErr(err, "init setting %q", key)
}

func (q *queries) PutSetting(ctx context.Context, key, value string) error {
	_, err := q.db.Exec(ctx, `
		INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return wrapErr(err, "put setting %q", key)
}
