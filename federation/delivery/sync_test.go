package delivery

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/federation/transport"
	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/newsroom"
)

func (s *fakeStore) FollowersOnHosts(_ context.Context, _ int64, hosts []string) ([]string, error) {
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
