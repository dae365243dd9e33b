package editor_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
)

// An administrator sets an organisation's default policy in its form; a
// value that is not a choice comes back with the error at its field and
// the other choices kept. An editor's post takes its own policy from the
// compose form, and the form of the next post offers the organisation's
// choices as the default.
func TestPolicyForms(t *testing.T) {
	e := newEnv(t)
	admin := e.login("admin@example.org")
	fields := url.Values{"name": {"Alpha"}, "default_lang": {"fr"}, "default_object_type": {"auto"},
		"actor_type": {"Organization"}, "policy_quote": {"manual"}, "policy_reply": {"followers"},
		"policy_like": {"anyone"}, "policy_announce": {"nobody"}}
	if r := admin.multipart("/admin/organisations/edit/alpha", fields); r.status != http.StatusSeeOther {
		t.Fatalf("org form: %d %s", r.status, r.body)
	}
	org, err := e.store.OrgByHandle(context.Background(), "alpha")
	if err != nil {
		t.Fatal(err)
	}
	want := newsroom.InteractionPolicy{Quote: newsroom.ApprovalManual, Reply: newsroom.ApprovalFollowers,
		Like: newsroom.ApprovalAnyone, Announce: newsroom.ApprovalNobody}
	if org.Policy != want {
		t.Errorf("org policy %+v, want %+v", org.Policy, want)
	}

	fields.Set("policy_like", "everyone")
	r := admin.multipart("/admin/organisations/edit/alpha", fields)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="policy_like-error"`) ||
		!strings.Contains(r.body, `<option value="manual" selected>`) {
		t.Errorf("invalid choice: %d %s", r.status, r.body)
	}

	ed := e.login("editor@example.org")
	_, page := ed.get("/admin/orgs/alpha/compose")
	if !strings.Contains(page, `<option value="" selected>As the organisation: Nobody</option>`) {
		t.Errorf("compose form does not offer the organisation's boost choice as default: %s", page)
	}
	post := article("Déclaration")
	post.Set("policy_reply", "nobody")
	if r := ed.form("/admin/orgs/alpha/compose", post); r.status != http.StatusSeeOther {
		t.Fatalf("compose: %d %s", r.status, r.body)
	}
	p := e.onlyPost(e.alpha, newsroom.StatusPublished)
	if p.Policy != (newsroom.InteractionPolicy{Reply: newsroom.ApprovalNobody}) {
		t.Errorf("post policy %+v", p.Policy)
	}
	if got := newsroom.EffectivePolicy(org, &p); got.Reply != newsroom.ApprovalNobody || got.Quote != newsroom.ApprovalManual {
		t.Errorf("effective policy %+v", got)
	}
}
