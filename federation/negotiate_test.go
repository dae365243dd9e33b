package federation

import (
	"net/http/httptest"
	"testing"
)

func TestWantsActivityJSON(t *testing.T) {
	for _, tc := range []struct {
		accept string
		want   bool
	}{
		{"", false},
		{"*/*", false},
		{"text/html", false},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
		{"application/activity+json", true},
		{"application/activity+json, application/ld+json", true}, // Mastodon
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, true},
		{"application/ld+json", true},
		{"APPLICATION/Activity+JSON", true},
		{"Application/LD+JSON; Q=0.5, TEXT/HTML; q=0.4", true},
		{"application/activity+json; q=0.4, Text/Html; q=0.5", false},
		{" application/activity+json ;q=1 ", true},
		{"application/activity+json;q=2", false},
		{"application/json", false},
		{"application/activity+json;q=0", false},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams"; q=0`, false},
		{"application/activity+json;q=0.5, text/html", false},
		{"text/html;q=0.9, application/activity+json", true},
		{"text/html, application/activity+json", true},
		{"application/activity+json;q=oops", false},
		{"application/activity+json;q=0.1, */*", true},
	} {
		r := httptest.NewRequest("GET", "/orgs/acme", nil)
		if tc.accept != "" {
			r.Header.Set("Accept", tc.accept)
		}
		if got := WantsActivityJSON(r); got != tc.want {
			t.Errorf("Accept %q: got %v, want %v", tc.accept, got, tc.want)
		}
	}
}

func TestWantsActivityJSONSeveralHeaders(t *testing.T) {
	r := httptest.NewRequest("GET", "/orgs/acme", nil)
	r.Header.Add("Accept", "text/html;q=0.5")
	r.Header.Add("Accept", "application/activity+json")
	if !WantsActivityJSON(r) {
		t.Error("Accept split over two header lines was not read")
	}
}

// Every request for a post or an actor is negotiated: reading Accept must
// not allocate.
func TestWantsActivityJSONAllocatesNothing(t *testing.T) {
	for _, accept := range []string{
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
		`application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`,
	} {
		r := httptest.NewRequest("GET", "/orgs/acme", nil)
		r.Header.Set("Accept", accept)
		if n := testing.AllocsPerRun(100, func() { WantsActivityJSON(r) }); n != 0 {
			t.Errorf("Accept %q: %.1f allocations", accept, n)
		}
	}
}
