package newsroom

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// A hashtag is kept as its editor typed it ("inclusion numérique",
// "InclusionNumérique"): our pages show that, which screen readers read
// word by word. The fediverse sees TagName, without spaces, and tags are
// compared, de-duplicated and put in URLs by TagKey.

// CleanTag is t as stored: NFC-normalised, trimmed, without leading '#',
// with each run of spaces inside it made one space.
func CleanTag(t string) string {
	t = norm.NFC.String(t)
	t = strings.TrimLeft(strings.TrimSpace(t), "#")
	return strings.Join(strings.Fields(t), " ")
}

// TagName is the hashtag the fediverse sees, without '#': a tag of one
// word as typed; the words of a tag of several joined, each starting
// with a capital ("inclusion numérique" is InclusionNumérique), since a
// Mastodon hashtag cannot hold a space.
func TagName(t string) string {
	words := strings.Fields(CleanTag(t))
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	var b strings.Builder
	for _, w := range words {
		r, n := utf8.DecodeRuneInString(w)
		b.WriteRune(unicode.ToTitle(r))
		b.WriteString(w[n:])
	}
	return norm.NFC.String(b.String())
}

// TagKey is what tags are compared by: TagName in Unicode lower case
// (Go's, not SQL's lower(), which SQLite applies to ASCII only). Tag pages
// are /tags/{key}, and the store finds posts by it.
func TagKey(t string) string {
	return norm.NFC.String(strings.ToLower(TagName(t)))
}
