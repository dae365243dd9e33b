package sqlstore

import "context"

func (q *Queries) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := q.r.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	return v, q.Wrap(err, "setting %q", key)
}

// SettingOrInit inserts, or reads the value that won: the row a concurrent
// insert committed first is visible to the second statement.
func (q *Queries) SettingOrInit(ctx context.Context, key, value string) (string, error) {
	var v string
	err := q.WithTx(ctx, func(q *Queries) error {
		if _, err := q.w.Exec(ctx, `
			INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
			return err
		}
		return q.w.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	})
	return v, q.Wrap(err, "init setting %q", key)
}

func (q *Queries) PutSetting(ctx context.Context, key, value string) error {
	_, err := q.w.Exec(ctx, `
		INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return q.Wrap(err, "put setting %q", key)
}
