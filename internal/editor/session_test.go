package editor

import "testing"

func TestSafeNextStaysOnSite(t *testing.T) {
	for next, want := range map[string]string{
		"/admin/posts?page=2":   "/admin/posts?page=2",
		"/admin/orgs/soga/edit": "/admin/orgs/soga/edit",
		"":                      "/admin/",
		"https://evil.example/": "/admin/",
		"//evil.example":        "/admin/",
		"/\\evil.example":       "/admin/",
		"/\t/evil.example":      "/admin/",
		"/\n/evil.example":      "/admin/",
		"/\r/evil.example":      "/admin/",
		"/\x00/evil.example":    "/admin/",
		"/\x7f/evil.example":    "/admin/",
		"/a\\..\\\\evil":        "/admin/",
		"javascript:alert(1)":   "/admin/",
		" /admin/":              "/admin/",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}
