package posts

import (
	htmltomarkdown "github.com/JohannesKaufmann/html-to-markdown/v2"

	"github.com/soga/newsroom/internal/htmltext"
)

// markdownOf is the Markdown an editor sees of HTML we did not write (a
// feed item's body), so that an imported post is edited like any other:
// the form shows Markdown, and Markdown is rendered back. On failure the
// editor gets the text without its markup rather than nothing.
func markdownOf(html string) string {
	md, err := htmltomarkdown.ConvertString(html)
	if err != nil {
		return htmltext.PlainText(html)
	}
	return md
}
