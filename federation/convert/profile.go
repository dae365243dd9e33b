package convert

import (
	"html"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
)

// paragraphBreak is a blank line, possibly holding spaces.
var paragraphBreak = regexp.MustCompile(`\n[ \t]*\n\s*`)

// profilePolicy returns the sanitiser for the HTML of actor profiles: the
// summary and the values of profile fields. It keeps paragraphs, line
// breaks and links to http(s) and mailto, and nothing else. The HTML we put
// in profiles is built from escaped text, so this is a second line of
// defence, not the first.
func profilePolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^[a-z ]+$`)).OnElements("a")
	p.AllowAttrs("target").Matching(regexp.MustCompile(`^_blank$`)).OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	return p
}

// profile is the profilePolicy every Converter shares (the server makes
// one for each of its services), built when first needed.
var profile = sync.OnceValue(profilePolicy)

// textToHTML renders plain text as HTML: everything escaped, blank lines
// separating paragraphs, single newlines becoming <br>. Nothing is
// linkified; an administrator's bio is shown as written.
func textToHTML(text string) string {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if text == "" {
		return ""
	}
	var b strings.Builder
	for _, para := range paragraphBreak.Split(text, -1) {
		lines := strings.Split(strings.TrimSpace(para), "\n")
		for i, line := range lines {
			lines[i] = html.EscapeString(strings.TrimSpace(line))
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>") + "</p>")
	}
	return b.String()
}

// websiteLink renders a website as a profile field value, the way Mastodon
// shows links: the address without its scheme as text. rel="me" lets the
// site verify the profile. Anything but an absolute http(s) URL gives "".
func websiteLink(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ""
	}
	text := strings.TrimSuffix(u.Host+u.EscapedPath(), "/")
	return `<a href="` + html.EscapeString(u.String()) +
		`" rel="me nofollow noopener noreferrer" target="_blank">` + html.EscapeString(text) + `</a>`
}

// mailtoLink renders a contact address as a profile field value, or "" when
// it is not a plain address.
func mailtoLink(raw string) string {
	addr, err := mail.ParseAddress(strings.TrimSpace(raw))
	if err != nil || addr.Name != "" || strings.ContainsAny(addr.Address, `"<>?`) {
		return ""
	}
	href := (&url.URL{Scheme: "mailto", Opaque: addr.Address}).String()
	return `<a href="` + html.EscapeString(href) + `">` + html.EscapeString(addr.Address) + `</a>`
}
