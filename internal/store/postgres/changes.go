package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// changesChannel is what the triggers of migration 0003 notify.
const changesChannel = "newsroom_changes"

// ListenerName is the application_name of the listening connection, as
// pg_stat_activity shows it.
const ListenerName = "newsroom changes listener"

// checkEvery is how long the listener waits for a notification before
// making sure its connection still answers: a connection cut without a
// word (a NAT, a failover) would otherwise wait forever. A variable, for
// the tests.
var checkEvery = 30 * time.Second

// retryFirst and retryMax bound the wait before reconnecting, doubled
// after each failure.
const (
	retryFirst = 250 * time.Millisecond
	retryMax   = 5 * time.Second
)

// WatchChanges listens on a connection of its own, outside the pool, for
// the notifications the triggers on the tables public pages are made from
// send on commit, from any process on the database. Notifications sent
// while it is not listening are lost, so it calls onChange each time it
// starts listening, the first time too.
func (s *Store) WatchChanges(ctx context.Context, onChange func(), onError func(error)) {
	wait := retryFirst
	for {
		listened, err := s.listen(ctx, onChange)
		if ctx.Err() != nil {
			return
		}
		onError(fmt.Errorf("store: listen for changes: %w", err))
		if listened {
			wait = retryFirst
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, retryMax)
	}
}

// listen connects, listens and calls onChange for each notification until
// the connection fails or ctx ends. listened reports that it got as far as
// listening.
func (s *Store) listen(ctx context.Context, onChange func()) (listened bool, err error) {
	cfg := s.conns.pool.Config().ConnConfig.Copy()
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = ListenerName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		return false, err
	}
	onChange()
	for {
		wctx, cancel := context.WithTimeout(ctx, checkEvery)
		_, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			onChange()
		case ctx.Err() != nil:
			return true, ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err = conn.Ping(pctx)
			cancel()
			if err != nil {
				return true, err
			}
		default:
			return true, err
		}
	}
}
