// Package storetest is the behaviour every store.Store must have, as one
// suite that each backend runs against itself:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return testdb.SQLite(t) })
//	}
package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// Run runs the suite; open must return a fresh, migrated, empty store,
// closed when its test ends. Subtests run in parallel, each on its own
// store.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Orgs", testOrgs},
		{"Users", testUsers},
		{"Sessions", testSessions},
		{"SetupTokens", testSetupTokens},
		{"Settings", testSettings},
		{"SiteSettings", testSiteSettings},
		{"Media", testMedia},
		{"PostRoundTrip", testPostRoundTrip},
		{"PostUpdate", testPostUpdate},
		{"PostUpdateStale", testPostUpdateStale},
		{"PostUpdateRace", testPostUpdateRace},
		{"PostSourceURL", testPostSourceURL},
		{"PostTombstone", testPostTombstone},
		{"PostList", testPostList},
		{"PostsByStatus", testPostsByStatus},
		{"PostWithOrg", testPostWithOrg},
		{"PostTagKey", testPostTagKey},
		{"PostPagination", testPostPagination},
		{"PostEvents", testPostEvents},
		{"Actors", testActors},
		{"Followers", testFollowers},
		{"DeliveryInboxes", testDeliveryInboxes},
		{"RemoveFollowersByInbox", testRemoveFollowersByInbox},
		{"Interactions", testInteractions},
		{"Replies", testReplies},
		{"Policies", testPolicies},
		{"Quotes", testQuotes},
		{"Inbox", testInbox},
		{"InboxBatch", testInboxBatch},
		{"Activities", testActivities},
		{"Deliveries", testDeliveries},
		{"PostStats", testPostStats},
		{"DomainBlocks", testDomainBlocks},
		{"DomainHealth", testDomainHealth},
		{"DeleteRemoteActor", testDeleteRemoteActor},
		{"NetworkAccounts", testNetworkAccounts},
		{"Boosts", testBoosts},
		{"InTx", testInTx},
		{"ConcurrentWrites", testConcurrentWrites},
		{"Changes", testChanges},
		{"FeedSources", testFeedSources},
		{"DeliveryCompaction", testDeliveryCompaction},
		{"DeliveryCompactionRace", testDeliveryCompactionRace},
		{"DeliveryCounts", testDeliveryCounts},
		{"DeliveryCountsConcurrent", testDeliveryCountsConcurrent},
		{"Prune", testPrune},
		{"UserTokens", testUserTokens},
		{"UserTokenRace", testUserTokenRace},
		{"ActorsByIDs", testActorsByIDs},
		{"OrgMoving", testOrgMoving},
		{"MoveFollower", testMoveFollower},
		{"PostMentions", testPostMentions},
		{"FollowersOnHosts", testFollowersOnHosts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}

// t0 has microseconds, the precision both backends keep.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)

// cet is a zone other than UTC: times written in it come back in UTC.
var cet = time.FixedZone("CET", 3600)

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
}

func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", what, show(got), show(want))
	}
}

func show(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprintf("%+v", v)
	}
	return string(b)
}

// isNow checks a time the store set: recent, in UTC, to the microsecond.
func isNow(t *testing.T, what string, got time.Time) {
	t.Helper()
	if d := time.Since(got); d < -time.Minute || d > time.Minute {
		t.Errorf("%s = %v, want about now", what, got)
	}
	if got.Location() != time.UTC || got.Nanosecond()%1000 != 0 {
		t.Errorf("%s = %v, want UTC to the microsecond", what, got)
	}
}

func newOrg(t *testing.T, s store.Queries, handle string) *newsroom.Organisation {
	t.Helper()
	o := &newsroom.Organisation{
		Handle: handle, Name: "Org " + handle,
		ActorType: newsroom.ActorOrganization, DefaultLang: "fr",
		DefaultObjectType: newsroom.ObjectAuto,
	}
	ok(t, s.CreateOrg(t.Context(), o))
	return o
}

func newUser(t *testing.T, s store.Queries, email string) *newsroom.User {
	t.Helper()
	u := &newsroom.User{Email: email, Name: "User", PasswordHash: "$argon2id$x"}
	ok(t, s.CreateUser(t.Context(), u))
	return u
}

// newPost stores a published article of org; edit changes it first.
func newPost(t *testing.T, s store.Queries, orgID int64, id string, published time.Time, edit func(p *newsroom.Post)) *newsroom.Post {
	t.Helper()
	p := &newsroom.Post{
		ID: id, OrgID: orgID, Kind: newsroom.KindArticle, Status: newsroom.StatusPublished,
		ObjectType: newsroom.ObjectAuto, Lang: "fr", Title: "Post " + id,
		PublishedAt: published,
	}
	if edit != nil {
		edit(p)
	}
	ok(t, s.CreatePost(t.Context(), p))
	return p
}

func ids(posts []newsroom.Post) []string {
	out := make([]string, len(posts))
	for i, p := range posts {
		out[i] = p.ID
	}
	return out
}
