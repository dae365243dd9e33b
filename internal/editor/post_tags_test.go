package editor

import (
	"slices"
	"testing"

	"github.com/soga/newsroom/internal/posts"
)

// The tag field is split on commas and line breaks only, so a tag may
// hold spaces; a '#' at the start of a word starts a new tag.
func TestSplitTags(t *testing.T) {
	for in, want := range map[string][]string{
		"inclusion numérique, Économie sociale": {"inclusion numérique", "Économie sociale"},
		"#vie\r\n#Assos\n\n, ,":                 {"#vie", "#Assos"},
		"#a #b":                                 {"#a", "#b"},
		"vie associative #culture":              {"vie associative", "#culture"},
		"  ":                                    nil,
	} {
		if got := splitTags(in); !slices.Equal(got, want) {
			t.Errorf("splitTags(%q) = %q, want %q", in, got, want)
		}
	}
	got := posts.NormaliseTags(splitTags("inclusion numérique, Économie sociale, #InclusionNumérique"))
	if !slices.Equal(got, []string{"inclusion numérique", "Économie sociale"}) {
		t.Errorf("tags %q", got)
	}
}
