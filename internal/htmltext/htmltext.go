// Package htmltext reads the text out of the HTML of our posts: what a
// reader sees, for summaries, link cards and the choice between a Note and
// an Article. Every place that measures or quotes a post's text uses it,
// so they all count the same characters.
package htmltext

import (
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// blockElements end a line of text when the HTML is flattened.
var blockElements = map[string]bool{
	"p": true, "br": true, "li": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "blockquote": true, "pre": true, "ul": true, "ol": true, "hr": true,
}

// PlainText is the text a reader sees in html, with blocks separated by a
// space and runs of white space collapsed. Inline elements separate
// nothing: "<em>news</em>room" reads "newsroom". It decides between Note
// and Article and makes summaries, so it must count what shows, not
// markup.
func PlainText(s string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if blockElements[string(name)] {
				b.WriteByte(' ')
			}
		}
	}
}

// Excerpt cuts text to at most max characters at a word boundary, adding
// an ellipsis when it cut.
func Excerpt(text string, max int) string {
	r := []rune(text)
	if len(r) <= max {
		return text
	}
	cut := max - 1
	for i := cut; i > max/2; i-- {
		if unicode.IsSpace(r[i]) {
			cut = i
			break
		}
	}
	return strings.TrimRightFunc(string(r[:cut]), func(c rune) bool {
		return unicode.IsSpace(c) || unicode.IsPunct(c)
	}) + "…"
}
