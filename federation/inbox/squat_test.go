package inbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/soga/newsroom/internal/audience"
	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// An actor may send, correctly signed, an activity id that another actor
// of its server will use later: the id only has to be on the sender's
// host. Misskey's Follow ids are ${url}/follows/${followerId}/${followeeId}
// and Mastodon's Like ids are sequential, so both are easy to guess. The
// squatter's activity must not shadow the victim's: these tests run the
// inbox with the real audience service on a real database, so that what
// they check is what the store keeps.

// squatTest is an inbox applying what it receives, and two actors of one
// server: vic, and mallory, who guesses vic's ids.
type squatTest struct {
	*inboxTest
	vic, mallory *remote
}

func newSquatTest(t *testing.T, s store.Store) *squatTest {
	t.Helper()
	f := &squatTest{inboxTest: newInboxTest(t, s),
		vic: newRemote(t, "vic", "misskey.test", 2), mallory: newRemote(t, "mallory", "misskey.test", 3)}
	n := 0
	f.h.audience = audience.New(s, f.urls, func() string { n++; return fmt.Sprintf("01JDAUDIENCE%014d", n) })
	f.serveActor(t, f.vic)
	f.serveActor(t, f.mallory)
	return f
}

// sendAs posts act to handle's inbox signed by r, and checks the answer.
func (f *squatTest) sendAs(t *testing.T, r *remote, handle string, act map[string]any, want int) {
	t.Helper()
	if code := f.send(t, r, handle, act); code != want {
		t.Fatalf("%s's %s: status %d, want %d", r.name, act["type"], code, want)
	}
}

// follows reports whether r follows our organisation.
func (f *squatTest) follows(t *testing.T, r *remote) bool {
	t.Helper()
	ok, err := f.store.IsFollower(t.Context(), f.org.ID, r.id)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// likes is the count of our post's likes.
func (f *squatTest) likes(t *testing.T) int {
	t.Helper()
	likes, _, err := f.store.CountInteractions(t.Context(), postID)
	if err != nil {
		t.Fatal(err)
	}
	return likes
}

// accepts returns the objects of the Accepts we stored, and how many
// deliveries of an Accept are queued.
func (f *squatTest) accepts(t *testing.T) (objects []map[string]any, queued int) {
	t.Helper()
	acts, err := f.store.ListActivities(t.Context(), f.org.ID, "Accept", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range acts {
		var doc struct{ Object map[string]any }
		if err := json.Unmarshal(a.JSON, &doc); err != nil {
			t.Fatal(err)
		}
		objects = append(objects, doc.Object)
	}
	return objects, testdb.CountJobs(t, f.store, jobs.DirectArgs{}.Kind())
}

// mallory likes our post under the id vic's Follow will have; vic's
// Follow is still accepted, and each one's Undo of that id undoes its own
// activity only.
func TestInboxSquattedFollowID(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newSquatTest(t, s)
		vic, mallory := f.vic, f.mallory
		squatted := "https://misskey.test/follows/9vic0000/9soga000"

		like := mallory.act("Like", f.post)
		like["id"] = squatted
		f.sendAs(t, mallory, "", like, http.StatusAccepted)
		if n := f.likes(t); n != 1 {
			t.Fatalf("mallory's Like: %d likes", n)
		}

		follow := vic.act("Follow", f.urls.Org("soga"))
		follow["id"] = squatted
		f.sendAs(t, vic, "soga", follow, http.StatusAccepted)
		if !f.follows(t, vic) {
			t.Fatal("vic's Follow under a squatted id: vic does not follow")
		}
		objects, queued := f.accepts(t)
		if len(objects) != 1 || queued != 1 {
			t.Fatalf("vic's Follow: %d Accepts, %d queued; want 1 and 1", len(objects), queued)
		}
		if objects[0]["id"] != squatted || objects[0]["actor"] != vic.id || objects[0]["type"] != "Follow" {
			t.Errorf("the Accept's object is %v, want vic's Follow", objects[0])
		}

		// vic's own replay is still a replay: no second Accept.
		f.sendAs(t, vic, "soga", follow, http.StatusAccepted)
		if objects, queued := f.accepts(t); len(objects) != 1 || queued != 1 {
			t.Errorf("vic's replayed Follow: %d Accepts, %d queued; want 1 and 1", len(objects), queued)
		}

		// mallory's Undo of the id undoes her Like, not vic's Follow.
		f.sendAs(t, mallory, "", mallory.act("Undo", squatted), http.StatusAccepted)
		if !f.follows(t, vic) {
			t.Error("mallory's Undo of the id removed vic")
		}
		if n := f.likes(t); n != 0 {
			t.Errorf("mallory's Undo of her Like: %d likes", n)
		}

		// vic's Undo of it finds vic's Follow.
		f.sendAs(t, vic, "soga", vic.act("Undo", squatted), http.StatusAccepted)
		if f.follows(t, vic) {
			t.Error("vic's Undo of the Follow by id: vic still follows")
		}
	})
}

// mallory likes our post under the id vic's Like of it will have; vic's
// Like is counted all the same, once, and vic's Undo by id takes back
// vic's alone.
func TestInboxSquattedLikeID(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newSquatTest(t, s)
		vic, mallory := f.vic, f.mallory
		squatted := vic.id + "#likes/1042"

		like := mallory.act("Like", f.post)
		like["id"] = squatted
		f.sendAs(t, mallory, "", like, http.StatusAccepted)

		vicLike := vic.act("Like", f.post)
		vicLike["id"] = squatted
		f.sendAs(t, vic, "", vicLike, http.StatusAccepted)
		if n := f.likes(t); n != 2 {
			t.Fatalf("vic's Like under a squatted id: %d likes, want 2", n)
		}
		f.sendAs(t, vic, "", vicLike, http.StatusAccepted)
		if n := f.likes(t); n != 2 {
			t.Errorf("vic's replayed Like: %d likes, want 2", n)
		}

		f.sendAs(t, vic, "", vic.act("Undo", squatted), http.StatusAccepted)
		if n := f.likes(t); n != 1 {
			t.Errorf("vic's Undo of the Like by id: %d likes, want mallory's 1", n)
		}
	})
}
