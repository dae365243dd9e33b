package posts

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// accounts stands for the fediverse, which is out of reach here: the
// WebFinger and actor side is tested against loopback servers in
// cmd/newsroom. It answers for the accounts it holds, says "not found"
// for the others, and fails for down.example.
type accounts struct {
	mu    sync.Mutex
	known map[string]*newsroom.RemoteActor
	asked []string
}

func (a *accounts) Resolve(_ context.Context, acct string) (*newsroom.RemoteActor, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.asked = append(a.asked, acct)
	if strings.HasSuffix(acct, "@down.example") {
		return nil, errors.New("dial tcp: connection refused")
	}
	if r, ok := a.known[strings.ToLower(acct)]; ok {
		return r, nil
	}
	return nil, newsroom.ErrNotFound
}

func (a *accounts) calls() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.asked)
}

func TestMentionsResolvedWhenSaved(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		f := newFixture(t, s)
		net := &accounts{known: map[string]*newsroom.RemoteActor{
			"ada@social.example": {ID: "https://social.example/users/ada", URL: "https://social.example/@ada",
				Inbox: "https://social.example/users/ada/inbox", SharedInbox: "https://social.example/inbox"},
		}}
		f.svc.mentions = net
		quartier := &newsroom.Organisation{Handle: "quartier", Name: "Quartier", ActorType: newsroom.ActorOrganization,
			DefaultLang: "fr", DefaultObjectType: newsroom.ObjectAuto}
		if err := s.CreateOrg(ctx, quartier); err != nil {
			t.Fatal(err)
		}

		// Unknown accounts and silent servers are errors of the field
		// they are in, naming the handle; a bare @name is text.
		in := f.input()
		in.Body = "Merci @Ada@social.example, @nobody@social.example et @lecteur !"
		in.Translation = &TranslationInput{Lang: "en", Title: "AGM", Body: "Thanks @zoe@down.example"}
		_, err := f.svc.Publish(ctx, in)
		var v *newsroom.ValidationError
		if !errors.As(err, &v) {
			t.Fatalf("Publish with unknown mentions: %v", err)
		}
		want := map[string]string{"body": "mention_unknown @nobody@social.example", "translation_body": "mention_unreachable @zoe@down.example"}
		if !reflect.DeepEqual(v.Fields, want) {
			t.Errorf("errors = %v, want %v", v.Fields, want)
		}

		// A draft keeps them as text.
		draft, err := f.svc.SaveDraft(ctx, in)
		if err != nil {
			t.Fatalf("SaveDraft with unknown mentions: %v", err)
		}
		if !strings.Contains(draft.BodyHTML, "@nobody@social.example") || len(draft.Mentions) != 1 {
			t.Errorf("draft: %s %v", draft.BodyHTML, draft.Mentions)
		}

		// Scheduled: resolved when saved, published with no network.
		in = f.input()
		in.Body = "Merci @Ada@social.example et @quartier (et encore @ada@social.example)."
		in.PublishAt = f.now.Add(time.Hour)
		p, err := f.svc.Publish(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		asked := net.calls()
		ada := newsroom.Mention{Name: "@Ada@social.example", Actor: "https://social.example/users/ada",
			URL: "https://social.example/@ada", Inbox: "https://social.example/inbox"}
		local := newsroom.Mention{Name: "@quartier@news.example.org", Actor: "https://news.example.org/orgs/quartier",
			URL: "https://news.example.org/orgs/quartier"}
		got, err := s.PostByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Mentions, []newsroom.Mention{ada, local}) {
			t.Errorf("stored mentions = %+v", got.Mentions)
		}
		if n := strings.Count(got.BodyHTML, `class="u-url mention"`); n != 3 {
			t.Errorf("%d mention links in %s, want 3", n, got.BodyHTML)
		}
		f.now = f.now.Add(time.Hour)
		if err := f.svc.PublishScheduled(ctx, p.ID, in.PublishAt); err != nil {
			t.Fatal(err)
		}
		if net.calls() != asked {
			t.Errorf("publishing a scheduled post asked the network again: %v", net.asked[asked:])
		}
		creates := activities(t, s, f.org.ID, "Create")
		if len(creates) != 1 {
			t.Fatalf("%d Creates", len(creates))
		}
		var doc struct {
			CC     []string `json:"cc"`
			Object struct {
				Tag []map[string]any `json:"tag"`
			} `json:"object"`
		}
		if err := json.Unmarshal(creates[0].JSON, &doc); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(doc.CC, []string{"https://news.example.org/orgs/soga/followers", ada.Actor, local.Actor}) {
			t.Errorf("Create cc = %v", doc.CC)
		}
		var names []any
		for _, tag := range doc.Object.Tag {
			if tag["type"] == "Mention" {
				names = append(names, tag["name"])
			}
		}
		if !reflect.DeepEqual(names, []any{ada.Name, local.Name}) {
			t.Errorf("Mention tags = %v", names)
		}

		// An edit resolves again; mentions removed are forgotten.
		in.Body = "Plus personne."
		in.PublishAt = time.Time{}
		in.Version = 0
		edited, err := f.svc.Update(ctx, p.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(edited.Mentions) != 0 {
			t.Errorf("mentions after the edit: %v", edited.Mentions)
		}
	})
}

func TestTooManyMentions(t *testing.T) {
	f := newFixture(t, testdb.SQLite(t))
	f.svc.mentions = &accounts{}
	in := f.input()
	var b strings.Builder
	for i := range MaxMentions + 1 {
		b.WriteString("@user" + string(rune('a'+i)) + "@social.example ")
	}
	in.Body = b.String()
	_, err := f.svc.Publish(t.Context(), in)
	var v *newsroom.ValidationError
	if !errors.As(err, &v) || v.Fields["body"] != "too_many_mentions" {
		t.Errorf("Publish with %d mentions: %v", MaxMentions+1, err)
	}
}
