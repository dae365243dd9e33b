package posts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
	"github.com/soga/newsroom/internal/urls"
)

var testURLs = func() urls.Builder {
	u, _ := url.Parse("https://news.example.org")
	return urls.New(u)
}()

// fixture is a service on a fresh database with one organisation, a
// settable clock and predictable ids.
type fixture struct {
	s     store.Store
	svc   *Service
	org   *newsroom.Organisation
	now   time.Time
	ids   atomic.Int64
	idFor func(n int64) string
}

func newFixture(t *testing.T, s store.Store) *fixture {
	t.Helper()
	f := &fixture{s: s, now: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)}
	f.idFor = func(n int64) string { return fmt.Sprintf("01JD%022d", n) }
	f.svc = New(Deps{Store: s, URLs: testURLs, Now: func() time.Time { return f.now },
		NewID: func() string { return f.idFor(f.ids.Add(1)) }})
	f.org = &newsroom.Organisation{Handle: "soga", Name: "SOGA", ActorType: newsroom.ActorOrganization,
		DefaultLang: "fr", DefaultObjectType: newsroom.ObjectAuto}
	if err := s.CreateOrg(t.Context(), f.org); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) input() PostInput {
	return PostInput{OrgID: f.org.ID, Kind: newsroom.KindArticle, Title: "Assemblée générale",
		Summary: "Le résumé.", Body: "Le **texte**.", Tags: []string{"#Vie", "vie", " Assos "}}
}

// countJobs counts River jobs of a kind.
func countJobs(t *testing.T, s store.Store, kind string) int { return testdb.CountJobs(t, s, kind) }

func activities(t *testing.T, s store.Store, orgID int64, typ string) []newsroom.Activity {
	t.Helper()
	as, err := s.ListActivities(t.Context(), orgID, typ, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func TestValidation(t *testing.T) {
	long := strings.Repeat("x", MaxTitle+1)
	cases := []struct {
		name  string
		edit  func(*PostInput)
		field string
		msg   string
	}{
		{"no title", func(in *PostInput) { in.Title = " " }, "title", "required"},
		{"long title", func(in *PostInput) { in.Title = long }, "title", "too_long"},
		{"no body", func(in *PostInput) { in.Body = "" }, "body", "required"},
		{"bad kind", func(in *PostInput) { in.Kind = "blog" }, "kind", "invalid"},
		{"bad lang", func(in *PostInput) { in.Lang = "xx" }, "lang", "invalid"},
		{"bad type", func(in *PostInput) { in.ObjectType = "Page" }, "object_type", "invalid"},
		{"bad tag", func(in *PostInput) { in.Tags = []string{"no-dash"} }, "tags", "tag_invalid"},
		{"bad word in a tag of several", func(in *PostInput) { in.Tags = []string{"vie associative!"} }, "tags", "tag_invalid"},
		{"long once joined", func(in *PostInput) {
			in.Tags = []string{strings.Repeat("abcdefg ", MaxTagLen/7+1)}
		}, "tags", "too_long"},
		{"many tags", func(in *PostInput) {
			in.Tags = strings.Fields("a b c d e f g h i j k")
		}, "tags", "too_many"},
		{"no alt", func(in *PostInput) { in.Media = []newsroom.PostMedia{{MediaID: "ab"}} }, "media", "alt_required"},
		{"same lang", func(in *PostInput) {
			in.Translation = &TranslationInput{Lang: "fr", Title: "t", Body: "b"}
		}, "translation_lang", "same_lang"},
		{"translation in no language", func(in *PostInput) {
			in.Translation = &TranslationInput{Title: "t", Body: "b"}
		}, "translation_lang", "required"},
		{"event without start", func(in *PostInput) { in.Kind = newsroom.KindEvent }, "event_start", "required"},
		{"event ends first", func(in *PostInput) {
			in.Kind = newsroom.KindEvent
			in.Event = &newsroom.Event{Start: time.Now(), End: time.Now().Add(-time.Hour), Timezone: "Europe/Paris"}
		}, "event_end", "end_before_start"},
		{"bad zone", func(in *PostInput) {
			in.Kind = newsroom.KindEvent
			in.Event = &newsroom.Event{Start: time.Now(), Timezone: "Mars/Olympus"}
		}, "event_timezone", "invalid"},
		{"bad online url", func(in *PostInput) {
			in.Kind = newsroom.KindEvent
			in.Event = &newsroom.Event{Start: time.Now(), Timezone: "UTC", OnlineURL: "javascript:alert(1)"}
		}, "event_online_url", "url_invalid"},
		{"bad online url, and no start", func(in *PostInput) {
			in.Kind = newsroom.KindEvent
			in.Event = &newsroom.Event{Timezone: "UTC", OnlineURL: "ftp://x"}
		}, "event_online_url", "url_invalid"},
		{"control in title", func(in *PostInput) { in.Title = "Titre\x00" }, "title", "invalid"},
		{"line break in title", func(in *PostInput) { in.Title = "Titre\nsuite" }, "title", "invalid"},
		{"broken UTF-8 in title", func(in *PostInput) { in.Title = "Titre \xff" }, "title", "invalid"},
		{"line break in summary", func(in *PostInput) { in.Summary = "Un\ndeux" }, "summary", "invalid"},
		{"escape in content warning", func(in *PostInput) { in.ContentWarning = "\x1b[31mrouge" }, "content_warning", "invalid"},
		{"control in tag", func(in *PostInput) { in.Tags = []string{"vie\x07"} }, "tags", "invalid"},
		{"control in alt", func(in *PostInput) {
			in.Media = []newsroom.PostMedia{{MediaID: "ab", Alt: "Une\x00photo"}}
		}, "media", "invalid"},
		{"control in body", func(in *PostInput) { in.Body = "Le\x00texte" }, "body", "invalid"},
		{"tab in translated title", func(in *PostInput) {
			in.Translation = &TranslationInput{Lang: "en", Title: "A\ttitle", Body: "b"}
		}, "translation_title", "invalid"},
		{"control in translated body", func(in *PostInput) {
			in.Translation = &TranslationInput{Lang: "en", Title: "t", Body: "b\x08"}
		}, "translation_body", "invalid"},
		{"control in place", func(in *PostInput) {
			in.Kind = newsroom.KindEvent
			in.Event = &newsroom.Event{Start: time.Now(), Timezone: "UTC", PlaceName: "Salle\x0bdes fêtes"}
		}, "event_place", "invalid"},
		{"line break in street", func(in *PostInput) {
			in.Kind = newsroom.KindEvent
			in.Event = &newsroom.Event{Start: time.Now(), Timezone: "UTC", Street: "1 rue\r\nX"}
		}, "event_street", "invalid"},
		{"long online url", func(in *PostInput) {
			in.Kind = newsroom.KindEvent
			in.Event = &newsroom.Event{Start: time.Now(), Timezone: "UTC", OnlineURL: "https://example.org/" + strings.Repeat("a", MaxURL)}
		}, "event_online_url", "too_long"},
	}
	f := newFixture(t, testdb.SQLite(t))
	for _, c := range cases {
		in := f.input()
		c.edit(&in)
		_, err := f.svc.Publish(t.Context(), in)
		var v *newsroom.ValidationError
		if !errors.As(err, &v) || v.Fields[c.field] != c.msg {
			t.Errorf("%s: got %v, want %s=%s", c.name, err, c.field, c.msg)
		}
		// Validate says the same without writing.
		if err := f.svc.Validate(t.Context(), in, false); !errors.As(err, &v) || v.Fields[c.field] != c.msg {
			t.Errorf("%s: Validate said %v, want %s=%s", c.name, err, c.field, c.msg)
		}
	}
	if n := countJobs(t, f.s, "fanout"); n != 0 {
		t.Errorf("%d fan-out jobs after invalid input", n)
	}
	// A draft may be incomplete.
	in := f.input()
	in.Title, in.Body = "", ""
	if _, err := f.svc.SaveDraft(t.Context(), in); err != nil {
		t.Errorf("incomplete draft: %v", err)
	}
}

// The bodies are written on several lines: line breaks and tabs stay,
// carriage returns go.
func TestBodiesKeepLinesAndTabs(t *testing.T) {
	f := newFixture(t, testdb.SQLite(t))
	in := f.input()
	in.Body = "Premier paragraphe.\r\n\r\n\tdu code\r\n"
	in.Translation = &TranslationInput{Lang: "en", Title: "Title", Body: "First.\r\n\r\nSecond."}
	p, err := f.svc.Publish(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.s.PostByID(t.Context(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.BodyMD != "Premier paragraphe.\n\n\tdu code\n" || got.Translation.BodyMD != "First.\n\nSecond." {
		t.Errorf("stored bodies %q and %q", got.BodyMD, got.Translation.BodyMD)
	}
	if in.Translation.Body != "First.\r\n\r\nSecond." {
		t.Error("the caller's input was changed")
	}
}

func TestNormaliseTags(t *testing.T) {
	got := NormaliseTags([]string{"#Vie", "vie", " ", "##Assos", "ÉTÉ", "été", "e\u0301te\u0301",
		" inclusion  numérique ", "#InclusionNumérique", "inclusionnumérique"})
	if strings.Join(got, ",") != "Vie,Assos,ÉTÉ,inclusion numérique" {
		t.Errorf("got %v", got)
	}
}

func TestRender(t *testing.T) {
	r := NewRenderer(testURLs)
	media := "/media/" + strings.Repeat("ab", 32) + ".jpg"
	md := "# Titre\n\n<script>alert(1)</script>\n\n<b style=\"color:red\">gras</b> [lien](https://a.example) " +
		"[js](javascript:alert(1)) [mail](mailto:a@b.example)\n\n![ok](" + media + ") ![ailleurs](https://evil.example/x.png)\n\n> cité\n\n    code"
	out, err := r.Render(md)
	if err != nil {
		t.Fatal(err)
	}
	// An image from elsewhere becomes a link to it: readers' browsers
	// fetch nothing from another site, and nothing shows as a broken image.
	for _, want := range []string{"<h1>Titre</h1>", `<a href="https://a.example">lien</a>`, `<a href="mailto:a@b.example">mail</a>`,
		`<img src="https://news.example.org` + media + `" alt="ok">`, `<a href="https://evil.example/x.png">ailleurs</a>`,
		"<blockquote>", "<pre><code>code"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if n := strings.Count(out, "<img"); n != 1 {
		t.Errorf("%d images, want ours alone, in\n%s", n, out)
	}
	bare, err := r.Render("![](https://evil.example/y.png)")
	if err != nil {
		t.Fatal(err)
	}
	if bare != `<p><a href="https://evil.example/y.png">https://evil.example/y.png</a></p>` {
		t.Errorf("image without a description: %s", bare)
	}
	for _, bad := range []string{"<script", "style", "javascript:", "<b>", "<b "} {
		if strings.Contains(out, bad) {
			t.Errorf("%q kept in\n%s", bad, out)
		}
	}
}

// The parser and the policy are built on first use: callers racing to be
// first all get the same output (run with -race).
func TestRendererFirstUseConcurrent(t *testing.T) {
	r, s := NewRenderer(testURLs), NewSanitizer(testURLs)
	var wg sync.WaitGroup
	outs := make([]string, 8)
	for i := range outs {
		wg.Go(func() {
			out, err := r.Render("**gras** <i>x</i>")
			if err != nil {
				t.Error(err)
			}
			outs[i] = out + s.Sanitize(`<p onclick="x()">p</p>`)
		})
	}
	wg.Wait()
	for i, out := range outs {
		if out != "<p><strong>gras</strong> x</p><p>p</p>" {
			t.Errorf("%d: %q", i, out)
		}
	}
}

// TestPublishKeepsTagsAsTyped: tags keep their case and spaces, are
// de-duplicated whatever their case, and a tag typed with spaces is one
// hashtag, its words joined in CamelCase.
func TestPublishKeepsTagsAsTyped(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		in := f.input()
		in.Tags = []string{"#InclusionNumérique", "inclusion numérique", "Économie sociale", "ÉCONOMIESOCIALE"}
		p, err := f.svc.Publish(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.PostByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got.Tags, ",") != "InclusionNumérique,Économie sociale" {
			t.Errorf("stored tags %q", got.Tags)
		}
		creates := activities(t, s, f.org.ID, "Create")
		if len(creates) != 1 {
			t.Fatalf("creates = %v", creates)
		}
		var doc struct {
			Object struct {
				Tag []struct{ Name, Href string }
			}
		}
		if err := json.Unmarshal(creates[0].JSON, &doc); err != nil {
			t.Fatal(err)
		}
		want := []struct{ Name, Href string }{
			{"#InclusionNumérique", "https://news.example.org/tags/inclusionnum%C3%A9rique"},
			{"#ÉconomieSociale", "https://news.example.org/tags/%C3%A9conomiesociale"},
		}
		if !reflect.DeepEqual(doc.Object.Tag, want) {
			t.Errorf("hashtags %+v, want %+v", doc.Object.Tag, want)
		}
		listed, err := s.ListPosts(ctx, store.PostFilter{Tag: "inclusionnumérique"})
		if err != nil || len(listed) != 1 {
			t.Errorf("posts by key: %v, %v", listed, err)
		}
	})
}

func TestPublishWritesPostActivityAndJob(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		p, err := f.svc.Publish(ctx, f.input())
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.PostByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != newsroom.StatusPublished || got.ObjectType != newsroom.ObjectNote || got.Lang != "fr" ||
			got.BodyHTML != "<p>Le <strong>texte</strong>.</p>" || strings.Join(got.Tags, ",") != "Vie,Assos" ||
			!got.PublishedAt.Equal(f.now) {
			t.Errorf("stored post = %+v", got)
		}
		creates := activities(t, s, f.org.ID, "Create")
		if len(creates) != 1 || creates[0].PostID != p.ID {
			t.Fatalf("creates = %v", creates)
		}
		var doc map[string]any
		if err := json.Unmarshal(creates[0].JSON, &doc); err != nil {
			t.Fatal(err)
		}
		obj := doc["object"].(map[string]any)
		if doc["id"] != testURLs.Activity(creates[0].ID) || obj["id"] != testURLs.Post("soga", p.ID) || obj["type"] != "Note" {
			t.Errorf("create = %s", creates[0].JSON)
		}
		if n := countJobs(t, s, "fanout"); n != 1 {
			t.Errorf("fan-out jobs = %d", n)
		}

		// Edit: an Update with a newer "updated" and the new text.
		f.now = f.now.Add(time.Minute)
		in := f.input()
		in.Body = "Nouveau texte."
		if _, err := f.svc.Update(ctx, p.ID, in); err != nil {
			t.Fatal(err)
		}
		updates := activities(t, s, f.org.ID, "Update")
		if len(updates) != 1 || !strings.Contains(string(updates[0].JSON), "Nouveau texte.") ||
			!strings.Contains(string(updates[0].JSON), `"updated":"2025-03-01T10:01:00Z"`) {
			t.Fatalf("updates = %v", updates)
		}

		// Delete: a tombstone row, content erased, a Delete sent; twice is fine.
		if err := f.svc.Delete(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Delete(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		got, _ = s.PostByID(ctx, p.ID)
		if got.Status != newsroom.StatusDeleted || got.BodyMD != "" || got.DeletedAt.IsZero() {
			t.Errorf("after delete = %+v", got)
		}
		deletes := activities(t, s, f.org.ID, "Delete")
		if len(deletes) != 1 || !strings.Contains(string(deletes[0].JSON), `"formerType":"Note"`) {
			t.Fatalf("deletes = %v", deletes)
		}
		if n := countJobs(t, s, "fanout"); n != 3 {
			t.Errorf("fan-out jobs = %d", n)
		}
		if _, err := f.svc.Update(ctx, p.ID, f.input()); !errors.Is(err, newsroom.ErrGone) {
			t.Errorf("update of a deleted post: %v", err)
		}
	})
}

func TestPublishRollsBack(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		// The activity id is taken: the insert fails after the post's.
		if err := s.CreateActivity(ctx, &newsroom.Activity{ID: f.idFor(2), OrgID: f.org.ID, Type: "Accept", JSON: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.Publish(ctx, f.input())
		if !errors.Is(err, newsroom.ErrConflict) {
			t.Fatalf("publish: %v", err)
		}
		if _, err := s.PostByID(ctx, f.idFor(1)); !errors.Is(err, newsroom.ErrNotFound) {
			t.Errorf("post after rollback: %v", err)
		}
		if n := countJobs(t, s, "fanout"); n != 0 {
			t.Errorf("fan-out jobs after rollback = %d", n)
		}
		if n, _ := s.CountPosts(ctx, store.PostFilter{}); n != 0 {
			t.Errorf("posts after rollback = %d", n)
		}
	})
}

func TestSchedule(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		in := f.input()
		in.PublishAt = f.now.Add(time.Hour)
		p, err := f.svc.Publish(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != newsroom.StatusScheduled || countJobs(t, s, "publish") != 1 || countJobs(t, s, "fanout") != 0 {
			t.Fatalf("scheduled: status %s, %d publish jobs", p.Status, countJobs(t, s, "publish"))
		}

		// Rescheduled: the first job's time no longer matches.
		in.ID, in.PublishAt = p.ID, f.now.Add(2*time.Hour)
		if _, err := f.svc.Update(ctx, p.ID, in); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.PublishScheduled(ctx, p.ID, f.now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.PostByID(ctx, p.ID); got.Status != newsroom.StatusScheduled {
			t.Fatalf("published at the old time: %s", got.Status)
		}

		// Its time comes: published once, however often the job runs.
		f.now = f.now.Add(2 * time.Hour)
		for range 2 {
			if err := f.svc.PublishScheduled(ctx, p.ID, in.PublishAt); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := s.PostByID(ctx, p.ID)
		if got.Status != newsroom.StatusPublished || len(activities(t, s, f.org.ID, "Create")) != 1 {
			t.Fatalf("after its time: %s, %d creates", got.Status, len(activities(t, s, f.org.ID, "Create")))
		}

		// Back to draft before its time: the job does nothing.
		in2 := f.input()
		in2.PublishAt = f.now.Add(time.Hour)
		p2, err := f.svc.Publish(ctx, in2)
		if err != nil {
			t.Fatal(err)
		}
		in2.ID = p2.ID
		if _, err := f.svc.SaveDraft(ctx, in2); err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(time.Hour)
		if err := f.svc.PublishScheduled(ctx, p2.ID, in2.PublishAt.UTC()); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.PostByID(ctx, p2.ID); got.Status != newsroom.StatusDraft {
			t.Errorf("draft was published: %s", got.Status)
		}
		// A deleted scheduled post never goes out either.
		if err := f.svc.Delete(ctx, p2.ID); err != nil {
			t.Fatal(err)
		}
		if len(activities(t, s, f.org.ID, "Delete")) != 0 {
			t.Error("a never-published post sent a Delete")
		}
		// A published post cannot become a draft.
		if _, err := f.svc.SaveDraft(ctx, PostInput{ID: p.ID, OrgID: f.org.ID, Kind: newsroom.KindArticle}); !errors.Is(err, ErrNotEditable) {
			t.Errorf("published post to draft: %v", err)
		}
	})
}

func TestEventAndTranslation(t *testing.T) {
	f := newFixture(t, testdb.SQLite(t))
	ctx := context.Background()
	in := f.input()
	in.Kind = newsroom.KindEvent
	in.Translation = &TranslationInput{Lang: "en", Title: "General meeting", Body: "The text."}
	in.Event = &newsroom.Event{Start: time.Date(2025, 5, 1, 16, 0, 0, 0, time.UTC), Timezone: "Europe/Paris", PlaceName: "Salle", Locality: "Lyon"}
	p, err := f.svc.Publish(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	a := activities(t, f.s, f.org.ID, "Create")[0]
	var doc map[string]any
	json.Unmarshal(a.JSON, &doc)
	obj := doc["object"].(map[string]any)
	sm, _ := obj["summaryMap"].(map[string]any)
	if obj["type"] != "Event" || !strings.HasPrefix(sm["fr"].(string), "📅 jeudi 1 mai 2025, 18:00") ||
		!strings.HasPrefix(sm["en"].(string), "📅 Thursday, May 1, 2025, 18:00") {
		t.Errorf("event = %s", a.JSON)
	}
	// The kind of a published event cannot change.
	in.Kind = newsroom.KindArticle
	var v *newsroom.ValidationError
	if _, err := f.svc.Update(ctx, p.ID, in); !errors.As(err, &v) || v.Fields["kind"] != "immutable" {
		t.Errorf("event to article: %v", err)
	}
}
