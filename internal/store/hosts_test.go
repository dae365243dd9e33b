package store

import "testing"

func TestNormaliseHost(t *testing.T) {
	cases := map[string]string{
		"Social.Example.":     "social.example",
		" spam.example ":      "spam.example",
		"exämple.org":         "xn--exmple-cua.org",
		"XN--EXMPLE-CUA.ORG":  "xn--exmple-cua.org",
		"social.example:8443": "social.example:8443",
		"[::1]:80":            "[::1]:80",
	}
	for in, want := range cases {
		if got := NormaliseHost(in); got != want {
			t.Errorf("NormaliseHost(%q) = %q, want %q", in, got, want)
		}
	}
}
