package delivery

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/newsroom"
)

func (s *fakeStore) FollowersOnHosts(_ context.Context, _ int64, hosts []string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.followersAsked = append(s.followersAsked, slices.Clone(hosts))
	var out []string
	for _, id := range s.followers {
		if slices.Contains(hosts, hostOf(id)) {
			out = append(out, id)
		}
	}
	return out, nil
}

// Each inbox of a batch gets the Collection-Synchronization header of its
// own server, with the digest of the followers on that server only, and
// the signature covers it; the batch reads the followers once.
func TestDeliverBatchSendsSyncHeader(t *testing.T) {
	var mu sync.Mutex
	got := map[string]*http.Request{}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got["http://"+r.Host+r.URL.Path] = r
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	})
	s := newFixture(t)
	var inboxes []string
	for range 3 {
		srv := httptest.NewServer(handler)
		defer srv.Close()
		inboxes = append(inboxes, srv.URL+"/inbox")
		s.deliveries[srv.URL+"/inbox"] = newsroom.Delivery{ActivityID: "A1", Inbox: srv.URL + "/inbox", Status: newsroom.DeliveryPending}
	}
	origin := func(i int) string { o, _ := ap.Origin(inboxes[i]); return o }
	s.followers = []string{origin(0) + "/users/ada", origin(0) + "/users/zoe", origin(1) + "/users/bob",
		"https://elsewhere.example/users/cat"}
	w := NewDeliverBatchWorker(NewDeliverWorker(newSender(t, s)))
	job := &river.Job[jobs.DeliverBatchArgs]{JobRow: &rivertype.JobRow{Attempt: 1},
		Args: jobs.DeliverBatchArgs{ActivityID: "A1", Inboxes: inboxes}}
	if err := w.Work(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	want := []string{
		ap.FollowersDigest([]string{origin(0) + "/users/ada", origin(0) + "/users/zoe"}),
		ap.FollowersDigest([]string{origin(1) + "/users/bob"}),
		ap.FollowersDigest(nil),
	}
	for i, inbox := range inboxes {
		r := got[inbox]
		if r == nil {
			t.Fatalf("%s got nothing", inbox)
		}
		h := fmt.Sprintf(`collectionId="https://news.example.org/orgs/%[1]s/followers", url="https://news.example.org/orgs/%[1]s/followers_synchronization", digest="%[2]s"`,
			s.org.Handle, want[i])
		if v := r.Header.Get(SyncHeader); v != h {
			t.Errorf("%s: %s: %s\nwant %s", inbox, SyncHeader, v, h)
		}
		p, err := transport.ParseSignatureHeader(r.Header.Get("Signature"))
		if err != nil || !slices.Contains(p.Headers, "collection-synchronization") {
			t.Errorf("%s: signature does not cover the header: %+v %v", inbox, p, err)
		}
	}
}

// A server in several batches of one activity (followers with inboxes of
// their own) has its followers read once for them all; another activity,
// or the same a minute later, reads them again and sees who followed
// meanwhile.
func TestSyncHeadersReadOncePerActivity(t *testing.T) {
	s := newFixture(t)
	s.followers = []string{"https://a.example/users/ada", "https://b.example/users/bob"}
	sender := newSender(t, s)
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	sender.now = func() time.Time { return now }
	ctx := context.Background()
	header := func(activityID, inbox string) string {
		t.Helper()
		hs, err := sender.syncHeaders(ctx, activityID, []string{inbox})
		if err != nil {
			t.Fatal(err)
		}
		return hs[inbox].Get(SyncHeader)
	}
	digest := func(h string) string { _, d, _ := strings.Cut(h, `digest="`); return strings.TrimSuffix(d, `"`) }
	first, err := sender.syncHeaders(ctx, "A1", []string{"https://a.example/users/ada/inbox", "https://b.example/users/bob/inbox"})
	if err != nil {
		t.Fatal(err)
	}
	alone := ap.FollowersDigest([]string{"https://a.example/users/ada"})
	if d := digest(first["https://a.example/users/ada/inbox"].Get(SyncHeader)); d != alone {
		t.Fatalf("first batch: digest %s, want %s", d, alone)
	}
	s.mu.Lock()
	s.followers = append(s.followers, "https://a.example/users/zoe")
	s.mu.Unlock()
	both := ap.FollowersDigest([]string{"https://a.example/users/ada", "https://a.example/users/zoe"})

	later, err := sender.syncHeaders(ctx, "A1", []string{"https://a.example/users/zoe/inbox", "https://c.example/inbox"})
	if err != nil {
		t.Fatal(err)
	}
	if d := digest(later["https://a.example/users/zoe/inbox"].Get(SyncHeader)); d != alone {
		t.Errorf("same activity, a second batch: digest %s, want the first batch's %s", d, alone)
	}
	if d := digest(later["https://c.example/inbox"].Get(SyncHeader)); d != ap.FollowersDigest(nil) {
		t.Errorf("a server seen first: digest %s", d)
	}
	s.activity = &newsroom.Activity{ID: "A2", OrgID: 1, Type: "Create", JSON: []byte(`{"id":"y"}`)}
	if d := digest(header("A2", "https://a.example/users/ada/inbox")); d != both {
		t.Errorf("another activity: digest %s, want %s", d, both)
	}
	s.activity = &newsroom.Activity{ID: "A1", OrgID: 1, Type: "Create", JSON: []byte(`{"id":"x"}`)}
	now = now.Add(syncValueLife)
	if d := digest(header("A1", "https://a.example/users/ada/inbox")); d != both {
		t.Errorf("the same activity a minute later: digest %s, want %s", d, both)
	}
	want := [][]string{{"a.example", "b.example"}, {"c.example"}, {"a.example"}, {"a.example"}}
	if !slices.EqualFunc(s.followersAsked, want, slices.Equal) {
		t.Errorf("followers read for hosts %q, want %q", s.followersAsked, want)
	}
}

// The inboxes of mentioned accounts are added to the followers', once,
// and one a follower's server already shares is not added again.
func TestFanoutAddsMentioned(t *testing.T) {
	s := newFixture(t)
	s.inboxes = []string{"https://a.example/inbox", "https://b.example/users/bob/inbox"}
	w := NewFanoutWorker(s, slog.New(slog.DiscardHandler))
	job := &river.Job[jobs.FanoutArgs]{JobRow: &rivertype.JobRow{}, Args: jobs.FanoutArgs{ActivityID: "A1",
		Mentioned: []string{"https://a.example/inbox", "https://c.example/inbox", "https://d.example/inbox"}}}
	s.blocked = []string{"d.example"} // blocked since the post was saved
	if err := w.Work(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, a := range s.retries() {
		all = append(all, a.(jobs.DeliverBatchArgs).Inboxes...)
	}
	slices.Sort(all)
	if want := []string{"https://a.example/inbox", "https://b.example/users/bob/inbox", "https://c.example/inbox"}; !slices.Equal(all, want) {
		t.Errorf("fan-out to %v, want %v", all, want)
	}
}
