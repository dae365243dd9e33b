package sqlite

import "context"

func (q *queries) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := q.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	return v, wrapErr(err, "setting %q", key)
}

func (q *queries) SettingOrInit(ctx context.Context, key, value string) (string, error) {
	var v string
	err := q.withTx(ctx, func(q *queries) error {
		if _, err := q.w.ExecContext(ctx, `
			INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
			return err
		}
		return q.w.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	})
	return v, wrapErr(err, "init setting %q", key)
}

func (q *queries) PutSetting(ctx context.Context, key, value string) error {
	_, err := q.w.ExecContext(ctx, `
		INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return wrapErr(err, "put setting %q", key)
}
