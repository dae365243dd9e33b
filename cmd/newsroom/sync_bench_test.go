package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/federation/delivery"
	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// syncFollowers gives an organisation 10,000 followers: 8,000 on 2,000
// small servers (4 each) and 2,000 on one large one.
func syncFollowers(b *testing.B, st store.Store) (*newsroom.Organisation, []string) {
	ctx := context.Background()
	org := &newsroom.Organisation{Handle: "soga", Name: "SOGA", ActorType: newsroom.ActorOrganization,
		DefaultLang: "fr", DefaultObjectType: newsroom.ObjectAuto}
	if err := st.CreateOrg(ctx, org); err != nil {
		b.Fatal(err)
	}
	var hosts []string
	add := func(host string, n int) {
		hosts = append(hosts, host)
		for i := range n {
			id := fmt.Sprintf("https://%s/users/u%d", host, i)
			if err := st.AddFollower(ctx, newsroom.Follower{OrgID: org.ID, ActorID: id, Host: host,
				Inbox: id + "/inbox", SharedInbox: "https://" + host + "/inbox"}); err != nil {
				b.Fatal(err)
			}
		}
	}
	add("big.example", 2000)
	for s := range 2000 {
		add(fmt.Sprintf("s%d.example", s), 4)
	}
	return org, hosts
}

// BenchmarkSyncDigests measures what FEP-8fcf adds to a delivery batch
// of 20 inboxes: one query for the followers on the batch's servers and
// their digests. The reference, in the same run, is what the batch costs
// anyway: 20 RSA signatures.
func BenchmarkSyncDigests(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			var st store.Store
			if backend == "sqlite" {
				st = testdb.SQLite(b)
			} else {
				st = testdb.Postgres(b)
			}
			org, hosts := syncFollowers(b, st)
			for _, batch := range []struct {
				name  string
				hosts []string
			}{{"small-servers", hosts[1:21]}, {"with-the-large-one", hosts[:20]}} {
				b.Run(batch.name, func(b *testing.B) {
					for b.Loop() {
						ids, err := st.FollowersOnHosts(context.Background(), org.ID, batch.hosts)
						if err != nil {
							b.Fatal(err)
						}
						byOrigin := ap.ByOrigin(ids)
						for _, h := range batch.hosts {
							_ = ap.FollowersDigest(byOrigin["https://"+h])
						}
					}
				})
			}
		})
	}
	b.Run("reference-20-signatures", func(b *testing.B) {
		priv, _, err := transport.GenerateKey()
		if err != nil {
			b.Fatal(err)
		}
		key, err := transport.ParsePrivateKey(priv)
		if err != nil {
			b.Fatal(err)
		}
		body := []byte(`{"type":"Create"}`)
		for b.Loop() {
			for range 20 {
				r, _ := http.NewRequest(http.MethodPost, "https://s1.example/inbox", bytes.NewReader(body))
				r.Header.Set(delivery.SyncHeader, "x")
				if err := transport.SignRequest(r, body, "https://news.example/orgs/soga#main-key", key, time.Now()); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
