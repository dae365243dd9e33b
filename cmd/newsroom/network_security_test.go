package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/newsroom"
)

// What a followed member's server sends is not trusted more than any
// other: forged authors, objects on other hosts, forged answers and
// boosts, huge bodies and floods are refused or bounded, and nothing is
// boosted that should not be.
func TestNetworkRefusesBadInput(t *testing.T) {
	backends(t, func(t *testing.T, backend string) {
		ts, org, reader, member := networkSetup(t, backend)
		ctx := context.Background()
		mallory := fedtest.NewPeer(t, "mallory")
		inbox := ts.URLs.OrgInbox("soga")

		// Only the followed account may accept our Follow.
		if code, out, errs := ts.command(t, "network", "add", "--org", "soga", "@"+member.Acct()); code != 0 {
			t.Fatalf("network add: %d %s %s", code, out, errs)
		}
		follow, err := waitFor(member, func(r fedtest.Received) bool { return r.Type() == "Follow" })
		if err != nil {
			t.Fatal(err)
		}
		forged := mallory.Accept(follow.Activity)
		if code := send(t, mallory, inbox, forged); code != http.StatusAccepted {
			t.Fatalf("forged accept: %d", code)
		}
		if a, _ := ts.Store.NetworkAccount(ctx, org.ID, member.ActorID); a == nil || a.State != newsroom.NetworkPending {
			t.Fatalf("after an Accept by someone else: %+v", a)
		}
		if code := send(t, member, inbox, member.Accept(follow.Activity)); code != http.StatusAccepted {
			t.Fatalf("accept: %d", code)
		}
		waitState(t, ts, org, member.ActorID, newsroom.NetworkFollowing)

		post := fedtest.Post{Content: "<p>Nouvelles</p>", Lang: "fr"}
		// A Create by mallory of a post attributed to member.
		note := member.Note(post)
		if code := send(t, mallory, inbox, mallory.CreateOf(note)); code != http.StatusForbidden {
			t.Errorf("create of another's post: %d, want 403", code)
		}
		// member's Create signed with mallory's key.
		req, _ := mallory.SignedRequest(ctx, inbox, mustJSON(t, member.CreateOf(member.Note(post))))
		if resp, err := mallory.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("create signed by another: %v %v, want 401", resp.StatusCode, err)
		}
		// member's Create of an object whose id is on mallory's host.
		elsewhere := member.Note(post)
		elsewhere["id"] = mallory.ActorID + "/statuses/1"
		if code := send(t, member, inbox, member.CreateOf(elsewhere)); code != http.StatusForbidden {
			t.Errorf("object on another host: %d, want 403", code)
		}
		// A boost by mallory of member's post is no reason for us to boost.
		if code := send(t, mallory, inbox, mallory.Announce(note["id"].(string))); code != http.StatusAccepted {
			t.Errorf("forged announce: %d", code)
		}
		// Five megabytes.
		huge := post
		huge.Content = "<p>" + strings.Repeat("a", 5<<20) + "</p>"
		big, _ := member.SignedRequest(ctx, inbox, mustJSON(t, member.CreateOf(member.Note(huge))))
		if resp, err := member.Do(big); err == nil && resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("5 MB create: %d, want 413", resp.StatusCode)
		}
		if bs, _ := ts.Store.ListBoosts(ctx, org.ID, "", 0, 0); len(bs) != 0 {
			t.Fatalf("boosted: %+v", bs)
		}

		// A thousand Creates in a minute: ten boosts (the default limit).
		var wg sync.WaitGroup
		jobs := make(chan int)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					n := member.Note(fedtest.Post{Content: fmt.Sprintf("<p>Nouvelle %d</p>", i)})
					resp, err := member.Send(ctx, inbox, member.CreateOf(n))
					if err != nil || resp.StatusCode != http.StatusAccepted {
						t.Errorf("create %d: %v %v", i, err, resp)
						return
					}
				}
			}()
		}
		for i := range 1000 {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		bs, err := ts.Store.ListBoosts(ctx, org.ID, "", 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(bs) != 10 {
			t.Fatalf("%d boosts of 1,000 posts, want 10", len(bs))
		}
		eventually(t, "ten announces", func() string {
			n := 0
			for _, r := range reader.Received() {
				if r.Type() == "Announce" && r.Accepted() {
					n++
				}
			}
			if n != 10 {
				return fmt.Sprintf("%d announces", n)
			}
			return ""
		})
		if !strings.Contains(ts.logs.String(), "boost limit reached") {
			t.Error("the limit left no log line")
		}

		// Blocking us stops the boosts.
		if code := send(t, member, inbox, member.Block(ts.URLs.Org("soga"))); code != http.StatusAccepted {
			t.Fatalf("block: %d", code)
		}
		waitState(t, ts, org, member.ActorID, newsroom.NetworkRefused)
	})
}

// The account and the org's follow of it end as the account does: it
// unfollows (refused), moves or deletes itself (gone).
func TestNetworkAccountEnds(t *testing.T) {
	ts := startServer(t, "sqlite")
	org := ts.createOrg(t, "soga", "Social Good Accelerator")
	inbox := ts.URLs.OrgInbox("soga")
	for _, c := range []struct {
		name string
		end  func(p *fedtest.Peer) map[string]any
		want newsroom.NetworkState
	}{
		{"reject", func(p *fedtest.Peer) map[string]any {
			f, _ := waitFor(p, func(r fedtest.Received) bool { return r.Type() == "Follow" })
			return p.Reject(f.Activity)
		}, newsroom.NetworkRefused},
		{"unfollow", func(p *fedtest.Peer) map[string]any { return p.Undo(p.Follow(ts.URLs.Org("soga"))) }, newsroom.NetworkRefused},
		{"move", func(p *fedtest.Peer) map[string]any { return p.Move("http://127.0.0.1:1/users/new") }, newsroom.NetworkGone},
		{"delete", func(p *fedtest.Peer) map[string]any { return p.Delete() }, newsroom.NetworkGone},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := fedtest.NewPeer(t, c.name)
			p.AnswerFollows("")
			if c.name != "reject" {
				p.AnswerFollows("Accept")
			}
			if code, out, errs := ts.command(t, "network", "add", "--org", "soga", "@"+p.Acct()); code != 0 {
				t.Fatalf("network add: %d %s %s", code, out, errs)
			}
			if c.name != "reject" {
				waitState(t, ts, org, p.ActorID, newsroom.NetworkFollowing)
			}
			if code := send(t, p, inbox, c.end(p)); code != http.StatusAccepted {
				t.Fatalf("%s: %d", c.name, code)
			}
			waitState(t, ts, org, p.ActorID, c.want)
			note, _, err := p.Publish(context.Background(), fedtest.Post{Content: "<p>Après</p>"})
			if err != nil {
				t.Fatal(err)
			}
			if code := send(t, p, inbox, p.CreateOf(note)); code != http.StatusAccepted && code != http.StatusUnauthorized {
				t.Fatalf("create after %s: %d", c.name, code)
			}
			if s := boostState(t, ts, org, note["id"].(string)); s != "" {
				t.Errorf("boosted after %s: %s", c.name, s)
			}
		})
	}
}

// An account whose actor document redirects to a private address is
// refused by the client, and nothing is stored or sent.
func TestNetworkAddRefusesPrivateRedirect(t *testing.T) {
	ts := startServer(t, "sqlite")
	ts.createOrg(t, "soga", "Social Good Accelerator")
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/webfinger":
			w.Header().Set("Content-Type", "application/jrd+json")
			fmt.Fprintf(w, `{"links":[{"rel":"self","type":"application/activity+json","href":%q}]}`, srv.URL+"/users/sly")
		case "/users/sly":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	acct := "sly@" + strings.TrimPrefix(srv.URL, "http://")
	for _, account := range []string{"@" + acct, srv.URL + "/users/sly"} {
		code, out, errs := ts.command(t, "network", "add", "--org", "soga", account)
		if code == 0 {
			t.Fatalf("network add %s: exit 0: %s", account, out)
		}
		if !strings.Contains(errs, "cannot find this account") || !strings.Contains(errs, "169.254.169.254") {
			t.Errorf("network add %s: %s", account, errs)
		}
	}
	if as, _ := ts.Store.ListNetworkAccounts(context.Background(), 0, "", 0, 0); len(as) != 0 {
		t.Fatalf("accounts stored: %+v", as)
	}
}
