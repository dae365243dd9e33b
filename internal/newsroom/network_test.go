package newsroom

import "testing"

func TestNetworkAccountMatches(t *testing.T) {
	post := RemotePost{Tags: []string{"InclusionNumérique", "Lyon"}, Lang: "fr-BE"}
	for _, c := range []struct {
		name string
		a    NetworkAccount
		p    RemotePost
		want bool
	}{
		{"no rules", NetworkAccount{}, post, true},
		{"a tag, compared by key", NetworkAccount{Tags: []string{TagKey("inclusion numérique")}}, post, true},
		{"another tag", NetworkAccount{Tags: []string{"climat"}}, post, false},
		{"no tags on the post", NetworkAccount{Tags: []string{"lyon"}}, RemotePost{Lang: "fr"}, false},
		{"a language, by its base", NetworkAccount{Langs: []string{"fr"}}, post, true},
		{"another language", NetworkAccount{Langs: []string{"en"}}, post, false},
		{"no language on the post", NetworkAccount{Langs: []string{"fr"}}, RemotePost{}, false},
		{"tag and language", NetworkAccount{Tags: []string{"lyon"}, Langs: []string{"en", "fr"}}, post, true},
		{"sensitive", NetworkAccount{}, RemotePost{Sensitive: true}, false},
		{"sensitive allowed", NetworkAccount{AllowSensitive: true}, RemotePost{Sensitive: true}, true},
	} {
		if got := c.a.Matches(c.p); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	for in, want := range map[string]string{"fr": "fr", "fr-BE": "fr", "pt_BR": "pt", "EN": "en", "": ""} {
		if got := LangBase(in); got != want {
			t.Errorf("LangBase(%q) = %q, want %q", in, got, want)
		}
	}
}
