package editor_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
)

var versionRE = regexp.MustCompile(`name="version" value="(\d+)"`)

// editForm loads the edit form of post id as c and returns what it
// would submit: the stored values and the hidden version.
func (c *client) editForm(id string) url.Values {
	c.e.t.Helper()
	status, body := c.get("/admin/posts/" + id + "/edit")
	m := versionRE.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		c.e.t.Fatalf("edit form: %d, version %v", status, m)
	}
	p, err := c.e.store.PostByID(context.Background(), id)
	if err != nil {
		c.e.t.Fatal(err)
	}
	form := article(p.Title)
	form.Set("summary", p.Summary)
	form.Set("body", p.BodyMD)
	form.Set("version", m[1])
	return form
}

// Two editors open the same published post; the first saves. The second's
// save is refused with 409: their text is kept, the first's shown next to
// it, nothing is sent; saving again then goes through.
func TestSecondSaveOverAnotherIsRefused(t *testing.T) {
	e := newEnv(t)
	admin, ed := e.login("admin@example.org"), e.login("editor@example.org")
	if r := ed.form("/admin/orgs/alpha/compose", article("Assemblée générale")); r.status != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.status)
	}
	p := e.onlyPost(e.alpha, newsroom.StatusPublished)
	first, second := admin.editForm(p.ID), ed.editForm(p.ID)

	first.Set("title", "Assemblée générale du 12 mars")
	first.Set("action", "save")
	if r := admin.form("/admin/posts/"+p.ID+"/edit", first); r.status != http.StatusSeeOther {
		t.Fatalf("first save: %d %s", r.status, r.body)
	}
	second.Set("title", "Assemblée générale reportée")
	second.Set("body", "La réunion est **reportée**.\r\n")
	second.Set("action", "save")
	r := ed.multipart("/admin/posts/"+p.ID+"/edit", withAlt(second, "Affiche"),
		file{"media_0_file", "affiche.png", pngImage(t, 64, 48)})
	if r.status != http.StatusConflict {
		t.Fatalf("second save: %d, want 409", r.status)
	}
	stored, _ := e.store.PostByID(context.Background(), p.ID)
	for _, want := range []string{
		`role="alert">Someone else saved this post`,
		`value="Assemblée générale reportée"`,                                         // their title, in the field
		`id="title-saved" readonly rows="1">Assemblée générale du 12 mars</textarea>`, // the saved one
		`La réunion est **reportée**.</textarea>`,
		`id="body-saved" readonly rows="14">Le **texte**.</textarea>`,
		`name="media_0_id" value="`, // the uploaded image is kept in its slot
		`name="version" value="` + strconv.FormatInt(stored.Version, 10) + `"`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("conflict page lacks %q", want)
		}
	}
	if strings.Contains(r.body, `id="summary-saved"`) {
		t.Error("an unchanged field is shown as differing")
	}
	if stored.Title != "Assemblée générale du 12 mars" {
		t.Fatalf("stored title %q", stored.Title)
	}
	if n, _ := e.store.CountActivities(context.Background(), e.alpha.ID, "Update"); n != 1 {
		t.Fatalf("%d Update activities, want the first save's only", n)
	}

	// Saved again from the page they now have, the second edit goes through.
	second.Set("version", strconv.FormatInt(stored.Version, 10))
	if r := ed.form("/admin/posts/"+p.ID+"/edit", second); r.status != http.StatusSeeOther {
		t.Fatalf("save after reconciling: %d %s", r.status, r.body)
	}
	if got, _ := e.store.PostByID(context.Background(), p.ID); got.Title != "Assemblée générale reportée" {
		t.Fatalf("stored title %q", got.Title)
	}
}

// A draft too, and the version survives a form sent back for errors.
func TestDraftSaveOverAnotherIsRefused(t *testing.T) {
	e := newEnv(t)
	admin, ed := e.login("admin@example.org"), e.login("editor@example.org")
	draft := article("Brouillon")
	draft.Set("action", "draft")
	if r := ed.form("/admin/orgs/alpha/compose", draft); r.status != http.StatusSeeOther {
		t.Fatalf("draft: %d", r.status)
	}
	p := e.onlyPost(e.alpha, newsroom.StatusDraft)
	first, second := admin.editForm(p.ID), ed.editForm(p.ID)
	first.Set("action", "draft")
	first.Set("summary", "Le résumé de l’administrateur")
	if r := admin.form("/admin/posts/"+p.ID+"/edit", first); r.status != http.StatusSeeOther {
		t.Fatalf("first save: %d", r.status)
	}

	second.Set("action", "publish")
	second.Set("title", "")
	r := ed.form("/admin/posts/"+p.ID+"/edit", second)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `name="version" value="`+second.Get("version")+`"`) {
		t.Fatalf("invalid form: %d, version not kept", r.status)
	}
	second.Set("title", "Brouillon publié")
	r = ed.form("/admin/posts/"+p.ID+"/edit", second)
	if r.status != http.StatusConflict || !strings.Contains(r.body, `id="summary-saved" readonly rows="3">Le résumé de l’administrateur</textarea>`) {
		t.Fatalf("second save: %d", r.status)
	}
	if got := e.onlyPost(e.alpha, newsroom.StatusDraft); got.Title != "Brouillon" {
		t.Fatalf("stored title %q", got.Title)
	}
	if n, _ := e.store.CountActivities(context.Background(), e.alpha.ID, "Create"); n != 0 {
		t.Fatalf("%d Create activities", n)
	}
}

func withAlt(v url.Values, alt string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = vs
	}
	out.Set("media_0_alt", alt)
	return out
}
