package domains

import (
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

func TestBlocklist(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		clock := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
		b := New(s, nil)
		b.now = func() time.Time { return clock }
		blocked := func(host string) bool {
			t.Helper()
			got, err := b.Blocked(ctx, host)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}

		if blocked("evil.example") {
			t.Fatal("blocked before any block")
		}
		// Through the Blocklist: at once, whatever was cached.
		if err := b.Block(ctx, newsroom.DomainBlock{Domain: "Evil.Example.", Reason: "spam"}); err != nil {
			t.Fatal(err)
		}
		if err := b.Block(ctx, newsroom.DomainBlock{Domain: "exämple.org"}); err != nil {
			t.Fatal(err)
		}
		// The cached list answers as the database does, host by host.
		for _, host := range []string{
			"evil.example", "EVIL.example", "evil.example:8443", "social.evil.example", "a.b.evil.example:443",
			"notevil.example", "evil.example.com", "example", "xn--exmple-cua.org", "m.xn--exmple-cua.org",
			"exämple.org", "example.org", "127.0.0.1:8080", "[::1]:8080", "",
		} {
			want := false
			for _, h := range candidates(host) {
				got, err := s.IsDomainBlocked(ctx, h)
				if err != nil {
					t.Fatal(err)
				}
				want = want || got
			}
			if got := blocked(host); got != want {
				t.Errorf("Blocked(%q) = %v, the database says %v", host, got, want)
			}
		}
		if !blocked("social.evil.example:8443") || blocked("notevil.example") {
			t.Fatal("parent domain and port rules")
		}

		// Written elsewhere (the command line): seen once the list is old.
		if err := s.AddDomainBlock(ctx, newsroom.DomainBlock{Domain: "spam.example"}); err != nil {
			t.Fatal(err)
		}
		now, err := b.BlockedNow(ctx, "spam.example:443")
		if err != nil || !now {
			t.Fatalf("BlockedNow = %v, %v, want true at once", now, err)
		}
		if blocked("spam.example") {
			t.Fatal("the cached list was read again before MaxAge")
		}
		clock = clock.Add(MaxAge)
		if !blocked("spam.example") {
			t.Fatal("a block made elsewhere not seen after MaxAge")
		}

		if err := b.Unblock(ctx, "evil.example"); err != nil {
			t.Fatal(err)
		}
		if blocked("evil.example") {
			t.Fatal("still blocked after Unblock")
		}
		list, err := b.List(ctx)
		if err != nil || len(list) != 2 {
			t.Fatalf("List = %v, %v", list, err)
		}
	})
}

func BenchmarkBlocked(b *testing.B) {
	s := testdb.SQLite(b)
	bl := New(s, nil)
	for _, d := range []string{"a.example", "b.example", "c.example"} {
		if err := bl.Block(b.Context(), newsroom.DomainBlock{Domain: d}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bl.Blocked(b.Context(), "mastodon.social.example:443"); err != nil {
			b.Fatal(err)
		}
	}
}
