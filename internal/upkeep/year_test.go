package upkeep

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/postgres"
	"github.com/soga/newsroom/internal/store/sqlite"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// A year of a busy newsroom, written through the store methods the
// server itself uses (the publishing path's CreatePost and
// CreateActivity, the fan-out's CreateDeliveries and FanoutDone, the
// delivery outcomes' UpdateDeliveries, the inbox's group-commit
// RecordInboxActivities and AddReply), then compacted and pruned as the
// periodic jobs do, and measured. Not a timed test: it reports sizes.
//
//	NEWSROOM_BENCH_YEAR=1 go test ./internal/upkeep -run TestYearOfNewsroom -v -timeout 60m
//
// (with NEWSROOM_TEST_POSTGRES_URL for PostgreSQL; see docs/benchmarks.md).
// NEWSROOM_BENCH_YEAR=compare also simulates the same year without
// compaction and pruning, the reference the sizes compare with.
func TestYearOfNewsroom(t *testing.T) {
	mode := os.Getenv("NEWSROOM_BENCH_YEAR")
	if mode == "" {
		t.Skip("set NEWSROOM_BENCH_YEAR=1 to simulate a year and report the database size")
	}
	testdb.Each(t, func(t *testing.T, s store.Store) {
		year(t, s, true)
	})
	if mode == "compare" {
		t.Run("without-upkeep", func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, s store.Store) { year(t, s, false) })
		})
	}
}

const (
	yearPosts     = 2000
	yearFollowers = 10000
	yearServers   = 1000 // followers per server: 10, one shared inbox each
	yearDead      = 26   // servers that die during the year, one a fortnight
	yearLikes     = 35000
	yearBoosts    = 12000
	yearReplies   = 3000
	yearOrgs      = 10 // the association and nine members
)

func year(t *testing.T, s store.Store, upkeep bool) {
	ctx := t.Context()
	start := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
	end := start.AddDate(1, 0, 0)
	began := time.Now()

	var orgs []*newsroom.Organisation
	for i := range yearOrgs {
		o := &newsroom.Organisation{Handle: fmt.Sprintf("org%d", i), Name: fmt.Sprintf("Organisation %d", i),
			Bio: strings.Repeat("Une association qui agit. ", 8), ActorType: "Organization", DefaultLang: "fr",
			DefaultObjectType: "Note", PublicKeyPEM: strings.Repeat("K", 450), PrivateKeyPEM: strings.Repeat("P", 1700)}
		if err := s.CreateOrg(ctx, o); err != nil {
			t.Fatal(err)
		}
		orgs = append(orgs, o)
	}

	// Followers: the association has most of them; each cached actor
	// carries its public key, as verification keeps it.
	inboxOf := func(server int) string { return fmt.Sprintf("https://s%04d.example/inbox", server) }
	err := s.InTx(ctx, func(tx store.Tx) error {
		for i := range yearFollowers {
			server := i % yearServers
			host := fmt.Sprintf("s%04d.example", server)
			actor := fmt.Sprintf("https://%s/users/u%05d", host, i)
			if err := tx.UpsertRemoteActor(ctx, &newsroom.RemoteActor{ID: actor, Host: host, Type: "Person",
				PreferredUsername: fmt.Sprintf("u%05d", i), Name: fmt.Sprintf("Lectrice %d", i), Inbox: actor + "/inbox",
				SharedInbox: inboxOf(server), KeyID: actor + "#main-key", PublicKeyPEM: strings.Repeat("k", 451),
				FetchedAt: start}); err != nil {
				return err
			}
			org := orgs[0]
			if i%10 >= 6 { // four in ten follow a member instead
				org = orgs[1+i%(yearOrgs-1)]
			}
			if err := tx.AddFollower(ctx, newsroom.Follower{OrgID: org.ID, ActorID: actor, Host: host,
				Inbox: actor + "/inbox", SharedInbox: inboxOf(server), FollowID: actor + "/follows/1", CreatedAt: start}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Posts, each delivered to its organisation's inboxes, the deliveries
	// settled (the dead servers' given up), then compacted as the
	// periodic job does within minutes of the fan-out's end.
	body := strings.Repeat("Un paragraphe d’actualité de l’association, avec ses détails et ses liens. ", 25) // ≈ 2 KB
	html := "<p>" + body + "</p>"
	var postIDs []string
	svc := New(s, slog.New(slog.DiscardHandler))
	var deliveryRows, folded int64
	var pruned Pruned
	r := &reactions{t: t, s: s, start: start, year: end.Sub(start), posts: &postIDs}
	for i := range yearPosts {
		at := start.Add(time.Duration(i) * (end.Sub(start) / yearPosts))
		org := orgs[0]
		if i%2 == 1 {
			org = orgs[1+i%(yearOrgs-1)]
		}
		id := fmt.Sprintf("01YEAR%05dPOST%010d", i, i)
		p := &newsroom.Post{ID: id, OrgID: org.ID, Kind: newsroom.KindArticle, Status: newsroom.StatusPublished,
			ObjectType: newsroom.ObjectNote, Lang: "fr", Title: fmt.Sprintf("Actualité %d", i), Summary: body[:200],
			BodyMD: body, BodyHTML: html, Tags: []string{"association", "actualite", fmt.Sprintf("theme%d", i%30)},
			PublishedAt: at, CreatedAt: at}
		if err := s.CreatePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		postIDs = append(postIDs, id)
		acts := []string{"Create"}
		if i%10 == 0 {
			acts = append(acts, "Update") // one post in ten is edited
		}
		inboxes, err := s.DeliveryInboxes(ctx, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		// A server failing on seven days is left out of fan-outs
		// (store.UnavailableAfterDays), as DeliveryInboxes does once the
		// sender has recorded those failures, which this simulation
		// does not write.
		inboxes = slices.DeleteFunc(inboxes, func(in string) bool { return deadSince(in, at) > 7*24*time.Hour })
		for j, typ := range acts {
			actID := fmt.Sprintf("01YEAR%05dACT%d%010d", i, j, i)
			doc := fmt.Sprintf(`{"@context":["https://www.w3.org/ns/activitystreams"],"id":"https://news.example.org/activities/%s","type":%q,"actor":"https://news.example.org/orgs/%s","to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["https://news.example.org/orgs/%s/followers"],"object":{"id":"https://news.example.org/orgs/%s/posts/%s","type":"Note","content":%q}}`,
				actID, typ, org.Handle, org.Handle, org.Handle, id, html)
			if err := s.CreateActivity(ctx, &newsroom.Activity{ID: actID, OrgID: org.ID, Type: typ, PostID: id,
				JSON: []byte(doc), CreatedAt: at}); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateDeliveries(ctx, actID, inboxes); err != nil {
				t.Fatal(err)
			}
			if err := s.FanoutDone(ctx, actID); err != nil {
				t.Fatal(err)
			}
			outcomes := make([]newsroom.Delivery, len(inboxes))
			for k, in := range inboxes {
				outcomes[k] = newsroom.Delivery{ActivityID: actID, Inbox: in, Status: newsroom.DeliveryDelivered,
					Attempts: 1, UpdatedAt: at.Add(time.Second)}
				if deadSince(in, at) > 0 {
					outcomes[k] = newsroom.Delivery{ActivityID: actID, Inbox: in, Status: newsroom.DeliveryFailed,
						Attempts: 17, Reason: "timeout:10", UpdatedAt: at.Add(60 * time.Hour),
						LastError: "deliver to " + in + `: Post "` + in + `": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`}
				}
			}
			if err := s.UpdateDeliveries(ctx, outcomes); err != nil {
				t.Fatal(err)
			}
			deliveryRows += int64(len(inboxes))
		}
		if upkeep && (i%20 == 19 || i == yearPosts-1) {
			c, err := svc.Compact(ctx)
			if err != nil {
				t.Fatal(err)
			}
			folded += c.Rows
			autovacuum(t, s)
		}

		// The reactions that arrive until the next post, to recent posts,
		// and the pruning the hourly job does meanwhile.
		r.step(ctx, i)
		if upkeep {
			svc.now = func() time.Time { return at.Add(end.Sub(start) / yearPosts) }
			p, err := svc.Prune(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pruned.InboxActivities += p.InboxActivities
		}
	}

	before := size(t, s)
	after := vacuum(t, s)
	tables := largest(t, s)
	full := vacuumFull(t, s)

	var left, activities int
	for _, q := range []struct {
		n   *int
		sql string
	}{{&left, "SELECT count(*) FROM deliveries"}, {&activities, "SELECT count(*) FROM inbox_activities"}} {
		*q.n = count(t, s, q.sql)
	}
	t.Logf("%s: %d posts (+%d edits), %d followers on %d servers, %d likes, %d boosts, %d replies, in %s",
		s.Backend(), yearPosts, yearPosts/10, yearFollowers, yearServers, yearLikes, yearBoosts, yearReplies,
		time.Since(began).Round(time.Second))
	t.Logf("%s: %d deliveries written, %d folded into counts, %d rows left (failures, or all without upkeep); %d inbox activities pruned, %d kept",
		s.Backend(), deliveryRows, folded, left, pruned.InboxActivities, activities)
	t.Logf("%s: database %.1f MB at the year's end, %.1f MB after VACUUM, %.1f MB after VACUUM FULL",
		s.Backend(), mb(before), mb(after), mb(full))
	if tables != "" {
		t.Logf("%s: largest tables after VACUUM: %s", s.Backend(), tables)
	}
	if upkeep && after > 1<<30 {
		t.Errorf("a year takes %.0f MB, over 1 GB", mb(after))
	}
	if folded+int64(left) != deliveryRows {
		t.Errorf("%d folded + %d kept != %d written", folded, left, deliveryRows)
	}
}

// deadSince says for how long the inbox's server has been dead at a
// time: 0 for a live one. Server i*37+3 dies on day 14*i of the year.
func deadSince(inbox string, at time.Time) time.Duration {
	var server int
	if _, err := fmt.Sscanf(inbox, "https://s%04d.example/", &server); err != nil || server%37 != 3 || server/37 >= yearDead {
		return 0
	}
	died := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 14*(server/37))
	return max(at.Sub(died), 0)
}

// autovacuum stands for PostgreSQL's autovacuum, which in a real year has
// hours between two posts to make the space of compacted rows reusable;
// the simulation writes a year in minutes, faster than its naptime.
func autovacuum(t *testing.T, s store.Store) {
	t.Helper()
	if b, ok := s.(*postgres.Store); ok {
		if _, err := b.Pool().Exec(t.Context(), `VACUUM deliveries`); err != nil {
			t.Fatal(err)
		}
	}
}

// largest lists the biggest tables with their indexes, on PostgreSQL.
func largest(t *testing.T, s store.Store) string {
	t.Helper()
	b, ok := s.(*postgres.Store)
	if !ok {
		return ""
	}
	rows, err := b.Pool().Query(t.Context(), `
		SELECT relname, pg_total_relation_size(oid) FROM pg_class
		WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace
		ORDER BY 2 DESC LIMIT 6`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %.1f MB", name, mb(n)))
	}
	return strings.Join(out, ", ")
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

// size is the database's size on disk: the SQLite file with its WAL, or
// pg_database_size.
func size(t *testing.T, s store.Store) int64 {
	t.Helper()
	switch b := s.(type) {
	case *sqlite.Store:
		var path string
		if err := b.ReadDB().QueryRowContext(t.Context(), `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
			t.Fatal(err)
		}
		var total int64
		for _, f := range []string{path, path + "-wal"} {
			if fi, err := os.Stat(filepath.Clean(f)); err == nil {
				total += fi.Size()
			}
		}
		return total
	case *postgres.Store:
		var n int64
		if err := b.Pool().QueryRow(t.Context(), `SELECT pg_database_size(current_database())`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	t.Fatalf("backend %s", s.Backend())
	return 0
}

// vacuum runs what returns free space: VACUUM on SQLite (after a WAL
// checkpoint), a plain VACUUM on PostgreSQL (what autovacuum does; it
// makes dead rows' space reusable and rarely shrinks files).
func vacuum(t *testing.T, s store.Store) int64 {
	t.Helper()
	ctx := context.Background()
	var err error
	switch b := s.(type) {
	case *sqlite.Store:
		if _, err = b.WriteDB().ExecContext(ctx, `VACUUM`); err == nil {
			_, err = b.WriteDB().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
		}
	case *postgres.Store:
		_, err = b.Pool().Exec(ctx, `VACUUM ANALYZE`)
	}
	if err != nil {
		t.Fatal(err)
	}
	return size(t, s)
}

// vacuumFull rewrites every table and index on PostgreSQL, which takes
// an exclusive lock: not routine, but the size of the data itself.
func vacuumFull(t *testing.T, s store.Store) int64 {
	t.Helper()
	var err error
	if b, ok := s.(*postgres.Store); ok {
		_, err = b.Pool().Exec(context.Background(), `VACUUM FULL`)
	}
	if err != nil {
		t.Fatal(err)
	}
	return size(t, s)
}

func count(t *testing.T, s store.Store, q string) int {
	t.Helper()
	var n int
	var err error
	switch b := s.(type) {
	case *sqlite.Store:
		err = b.ReadDB().QueryRowContext(t.Context(), q).Scan(&n)
	case *postgres.Store:
		err = b.Pool().QueryRow(t.Context(), q).Scan(&n)
	}
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// reactions writes the year's likes, boosts and replies in the order they
// arrive: likes and boosts through the inbox's batch write, as group
// commit gathers them; each reply in its own transaction, as the inbox
// writes one.
type reactions struct {
	t     *testing.T
	s     store.Store
	start time.Time
	year  time.Duration
	posts *[]string
}

// step writes the reactions due between post i and post i+1.
func (r *reactions) step(ctx context.Context, i int) {
	r.interactions(ctx, i, newsroom.InteractionLike, "Like", yearLikes)
	r.interactions(ctx, i, newsroom.InteractionAnnounce, "Announce", yearBoosts)
	from, to := span(i, yearReplies)
	for k := from; k < to; k++ {
		at, actor, post := r.one(k, yearReplies, 104729)
		obj := fmt.Sprintf("%s/statuses/%d", actor, k)
		content := "<p>Merci pour cette nouvelle, nous serons là samedi avec toute l’équipe du quartier !</p>"
		raw := fmt.Sprintf(`{"id":%q,"type":"Create","actor":%q,"object":{"id":%q,"type":"Note","content":%q}}`, obj+"/activity", actor, obj, content)
		err := r.s.InTx(ctx, func(tx store.Tx) error {
			if _, err := tx.RecordInboxActivity(ctx, newsroom.InboxActivity{ID: obj + "/activity", ActorID: actor, Type: "Create",
				Raw: []byte(raw), ReceivedAt: at}); err != nil {
				return err
			}
			_, err := tx.AddReply(ctx, newsroom.Reply{ObjectID: obj, ActivityID: obj + "/activity", PostID: post, ActorID: actor,
				URL: obj, ContentHTML: content, Status: newsroom.ReplyApproved, Published: at, CreatedAt: at})
			return err
		})
		if err != nil {
			r.t.Fatal(err)
		}
	}
}

func (r *reactions) interactions(ctx context.Context, i int, kind newsroom.InteractionKind, typ string, n int) {
	from, to := span(i, n)
	var batch []newsroom.InboxRecord
	for k := from; k < to; k++ {
		at, actor, post := r.one(k, n, 7919)
		id := fmt.Sprintf("%s/%s/%d", actor, kind, k)
		raw := fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":%q,"type":%q,"actor":%q,"object":"https://news.example.org/orgs/org0/posts/%s","to":["https://news.example.org/orgs/org0"],"published":%q}`,
			id, typ, actor, post, at.Format(time.RFC3339))
		batch = append(batch, newsroom.InboxRecord{
			Activity:    newsroom.InboxActivity{ID: id, ActorID: actor, Type: typ, Raw: []byte(raw), ReceivedAt: at},
			Interaction: &newsroom.Interaction{Kind: kind, PostID: post, CreatedAt: at}})
	}
	if len(batch) > 0 {
		if _, err := r.s.RecordInboxActivities(ctx, batch); err != nil {
			r.t.Fatal(err)
		}
	}
}

// one is reaction k of n: its time, its author (a follower) and its post
// (one of the last 20 published).
func (r *reactions) one(k, n, prime int) (time.Time, string, string) {
	at := r.start.Add(time.Duration(k) * (r.year / time.Duration(n)))
	follower := (k * prime) % yearFollowers
	actor := fmt.Sprintf("https://s%04d.example/users/u%05d", follower%yearServers, follower)
	posts := *r.posts
	post := posts[len(posts)-1-(k*31)%min(len(posts), 20)]
	return at, actor, post
}

// span is the reactions of n that arrive between post i and post i+1.
func span(i, n int) (int, int) { return n * i / yearPosts, n * (i + 1) / yearPosts }
