package federation

import (
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/urls"
)

func TestWebFingerOrg(t *testing.T) {
	store := newFakeStore()
	store.addOrg(acmeOrg())
	s := newTestServer(t, store)
	host := s.urls.Host()
	id := s.urls.Org("acme")

	for _, resource := range []string{
		"acct:acme@" + host,
		"acct:ACME@" + host,
		"ACCT:Acme@" + host,
		"acme@" + host,
		"@acme@" + host,
		id,
	} {
		u := s.URL + "/.well-known/webfinger?resource=" + url.QueryEscape(resource)
		resp, _ := s.get(t, u, "application/jrd+json")
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("%s: Access-Control-Allow-Origin %q", resource, got)
		}
		m := s.getJSON(t, u, "application/jrd+json", contentTypeJRD)
		if m["subject"] != "acct:acme@"+host {
			t.Errorf("%s: subject %v", resource, m["subject"])
		}
		if aliases, _ := m["aliases"].([]any); len(aliases) != 1 || aliases[0] != id {
			t.Errorf("%s: aliases %v", resource, m["aliases"])
		}
		self, profile := findLink(m, relSelf), findLink(m, relProfilePage)
		if self == nil || self["type"] != "application/activity+json" || self["href"] != id {
			t.Errorf("%s: self link %v", resource, self)
		}
		if profile == nil || profile["type"] != "text/html" || profile["href"] != id {
			t.Errorf("%s: profile-page link %v", resource, profile)
		}
	}

	// The self link leads to a document whose id is that link, as
	// Mastodon checks.
	self := findLink(s.getJSON(t, s.URL+"/.well-known/webfinger?resource=acct:acme@"+host, "", contentTypeJRD), relSelf)
	s.getAS(t, self["href"].(string))
}

func TestWebFingerInstanceActor(t *testing.T) {
	s := newTestServer(t, newFakeStore())
	host := s.urls.Host()
	for _, resource := range []string{"acct:127.0.0.1@" + host, "acct:" + host + "@" + host, s.urls.InstanceActor()} {
		m := s.getJSON(t, s.URL+"/.well-known/webfinger?resource="+url.QueryEscape(resource), "", contentTypeJRD)
		if m["subject"] != "acct:127.0.0.1@"+host {
			t.Errorf("%s: subject %v", resource, m["subject"])
		}
		if self := findLink(m, relSelf); self == nil || self["href"] != s.urls.InstanceActor() {
			t.Errorf("%s: self %v", resource, self)
		}
	}
}

func TestWebFingerErrors(t *testing.T) {
	store := newFakeStore()
	store.addOrg(acmeOrg())
	s := newTestServer(t, store)
	host := s.urls.Host()
	for _, tc := range []struct {
		query  string
		status int
	}{
		{"", http.StatusBadRequest},
		{"resource=", http.StatusBadRequest},
		{"resource=acct:acme", http.StatusBadRequest},
		{"resource=acct:@" + host, http.StatusBadRequest},
		{"resource=acct:acme@", http.StatusBadRequest},
		{"resource=acct:nobody@" + host, http.StatusNotFound},
		{"resource=acct:acme@other.example", http.StatusNotFound},
		{"resource=acct:acme@127.0.0.1:1", http.StatusNotFound},
		{"resource=acct:acme@127.0.0.1", http.StatusNotFound},
		{"resource=" + url.QueryEscape("https://"+host+"/orgs/acme"), http.StatusNotFound}, // wrong scheme
		{"resource=" + url.QueryEscape(s.urls.OrgFollowers("acme")), http.StatusNotFound},
		{"resource=" + url.QueryEscape(s.urls.OrgKey("acme")), http.StatusNotFound},
		{"resource=" + url.QueryEscape("http://other.example/orgs/acme"), http.StatusNotFound},
		{"resource=mailto:acme@other.example", http.StatusNotFound},
	} {
		resp, body := s.get(t, s.URL+"/.well-known/webfinger?"+tc.query, "")
		if resp.StatusCode != tc.status {
			t.Errorf("%q: status %d, want %d (%s)", tc.query, resp.StatusCode, tc.status, body)
		}
	}
}

// TestParseResourceHosts covers hosts the loopback server cannot have: a
// name in another case and an explicit default port.
func TestParseResourceHosts(t *testing.T) {
	base, _ := url.Parse("https://news.example.org")
	h := NewHandler(Deps{URLs: urls.New(base)})
	for _, tc := range []struct {
		resource string
		handle   string
		instance bool
		err      error
	}{
		{"acct:acme@News.Example.ORG", "acme", false, nil},
		{"acct:acme@news.example.org:443", "acme", false, nil},
		{"acct:acme@news.example.org:80", "", false, newsroom.ErrNotFound},
		{"HTTPS://NEWS.example.org/orgs/Acme", "Acme", false, nil},
		{"https://news.example.org:443/actor", "", true, nil},
		{"acct:NEWS.example.org@news.example.org", "", true, nil},
		{"acct:acme@news.example.org.evil", "", false, newsroom.ErrNotFound},
		{"http://news.example.org/orgs/acme", "", false, newsroom.ErrNotFound},
		{"https://news.example.org/orgs/acme?x=1", "", false, newsroom.ErrNotFound},
		{"https://news.example.org/orgs/", "", false, newsroom.ErrNotFound},
	} {
		handle, instance, err := h.parseResource(tc.resource)
		if handle != tc.handle || instance != tc.instance || !errors.Is(err, tc.err) {
			t.Errorf("%s: (%q, %v, %v), want (%q, %v, %v)", tc.resource, handle, instance, err, tc.handle, tc.instance, tc.err)
		}
	}
}

func findLink(jrd map[string]any, rel string) map[string]any {
	links, _ := jrd["links"].([]any)
	for _, l := range links {
		if m, ok := l.(map[string]any); ok && m["rel"] == rel {
			return m
		}
	}
	return nil
}
