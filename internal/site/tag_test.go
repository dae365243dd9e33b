package site

import (
	"regexp"
	"strings"
	"testing"
)

// validTag answers what the regular expression it replaced answered.
func TestValidTagMatchesTheExpression(t *testing.T) {
	re := regexp.MustCompile(`^[\p{L}\p{M}\p{N}_]{1,100}$`)
	cases := []string{
		"", "_", "vie", "Vie", "été", "e\u0301te\u0301", "日本語", "٣٤٥", "x²", "ⅻ",
		"a b", "a-b", "a.b", "#a", "a\x00", "\xff", "a\xffb", "\uFFFD", "emoji😀",
		strings.Repeat("a", 100), strings.Repeat("a", 101),
		strings.Repeat("é", 100), strings.Repeat("é", 101), strings.Repeat("_", 100),
	}
	for _, c := range cases {
		if got, want := validTag(c), re.MatchString(c); got != want {
			t.Errorf("validTag(%q) = %v, the expression says %v", c, got, want)
		}
	}
}
