package main

import "testing"

func TestSemanticVersion(t *testing.T) {
	for _, c := range []struct {
		raw, rev string
		dirty    bool
		want     string
	}{
		{"v1.2.3", "", false, "1.2.3"},
		{"1.4.0-rc.1", "", false, "1.4.0-rc.1"},
		{"v0.0.0-20261201142708-4e45327a9c1d", "", false, "0.0.0-20261201142708-4e45327a9c1d"},
		{"4e45327", "", false, "0.0.0-dev+4e45327"},
		{"4e45327-dirty", "", false, "0.0.0-dev+4e45327.dirty"},
		{"dev", "", false, "0.0.0-dev"},
		{"", "4e45327a9c1d0e2f00112233", true, "0.0.0-dev+4e45327a9c1d.dirty"},
		{"", "", false, "0.0.0-dev"},
		{"v1.2", "", false, "0.0.0-dev"},
	} {
		if got := semanticVersion(c.raw, c.rev, c.dirty); got != c.want {
			t.Errorf("semanticVersion(%q, %q, %v) = %q, want %q", c.raw, c.rev, c.dirty, got, c.want)
		}
	}
}
