package editor_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// An administrator sets, on the organisation's form, whether it boosts
// its members and whether it lets them boost it; the form shows both as
// stored, and unticking clears them.
func TestOrgFormMemberBoosts(t *testing.T) {
	e := newEnv(t)
	c := e.login("admin@example.org")
	form := url.Values{"name": {"Alpha"}, "default_lang": {"fr"}, "default_object_type": {"auto"},
		"actor_type": {"Organization"}, "boosts_members": {"1"}, "allows_boosts": {"1"}}
	if r := c.form("/admin/organisations/edit/alpha", form); r.status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	o, err := e.store.OrgByHandle(t.Context(), "alpha")
	if err != nil || !o.BoostsMembers || !o.AllowsBoosts {
		t.Fatalf("stored %+v %v", o, err)
	}
	_, page := c.get("/admin/organisations/edit/alpha")
	if !strings.Contains(page, `name="boosts_members" value="1" checked`) || !strings.Contains(page, `name="allows_boosts" value="1" checked`) {
		t.Error("the form does not show the stored choices")
	}
	form.Del("boosts_members")
	if r := c.form("/admin/organisations/edit/alpha", form); r.status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	if o, _ := e.store.OrgByHandle(t.Context(), "alpha"); o.BoostsMembers || !o.AllowsBoosts {
		t.Errorf("after unticking: %+v", o)
	}
}
