package newsroom

import "testing"

func TestTagForms(t *testing.T) {
	for _, c := range []struct{ in, clean, name, key string }{
		{" #InclusionNumérique ", "InclusionNumérique", "InclusionNumérique", "inclusionnumérique"},
		{"inclusion   numérique", "inclusion numérique", "InclusionNumérique", "inclusionnumérique"},
		{"économie sociale", "économie sociale", "ÉconomieSociale", "économiesociale"},
		{"e\u0301te\u0301", "été", "été", "été"}, // NFD typed, NFC kept
		{"ÉTÉ", "ÉTÉ", "ÉTÉ", "été"},
		{"##", "", "", ""},
	} {
		if got := CleanTag(c.in); got != c.clean {
			t.Errorf("CleanTag(%q) = %q, want %q", c.in, got, c.clean)
		}
		if got := TagName(c.in); got != c.name {
			t.Errorf("TagName(%q) = %q, want %q", c.in, got, c.name)
		}
		if got := TagKey(c.in); got != c.key {
			t.Errorf("TagKey(%q) = %q, want %q", c.in, got, c.key)
		}
	}
}
