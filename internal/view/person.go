package view

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/soga/newsroom/internal/newsroom"
)

// Person is a remote actor as people know it: a display name, the
// @user@server address they would search for, and their profile page.
// There is no avatar: showing one would load an image from another
// server into our pages. The template draws the name's initial instead.
type Person struct {
	Name    string // remote text, cleaned: shown inside <bdi>
	Handle  string // @user@server, or the id without its scheme when unknown
	URL     string // profile page, else the id
	Initial string
}

// MaxPersonName caps a display name, in characters: Mastodon allows 30,
// other servers much more, and a list of followers must stay a list.
const MaxPersonName = 60

// customEmoji are Mastodon's :shortcode: names, which carry an image we
// would have to load from the author's server; the name reads better
// without them.
var customEmoji = regexp.MustCompile(`:[A-Za-z0-9_]{2,}:`)

// PersonOf describes actorID from what we cached of it, a is nil when we
// hold nothing (the actor was never fetched).
func PersonOf(actorID string, a *newsroom.RemoteActor) Person {
	p := Person{URL: actorID, Handle: strings.TrimPrefix(strings.TrimPrefix(actorID, "https://"), "http://")}
	user := ""
	if a != nil {
		if a.URL != "" {
			p.URL = a.URL
		}
		user = a.PreferredUsername
		if user != "" && a.Host != "" {
			p.Handle = "@" + cleanName(user, MaxPersonName) + "@" + a.Host
		}
		p.Name = cleanName(customEmoji.ReplaceAllString(a.Name, ""), MaxPersonName)
	}
	if p.Name == "" {
		p.Name = cleanName(user, MaxPersonName)
	}
	if p.Name == "" {
		p.Name = lastSegment(actorID)
	}
	for _, r := range p.Name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			p.Initial = strings.ToUpper(string(r))
			break
		}
	}
	if p.Initial == "" {
		p.Initial = "?"
	}
	return p
}

// cleanName drops control and formatting characters (bidi overrides
// among them: <bdi> isolates the name, and an override inside it could
// still reverse it), folds runs of spaces and cuts to max characters.
func cleanName(s string, max int) string {
	var b strings.Builder
	n, space := 0, false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case r == '\u200c' || r == '\u200d':
			// Joiners shape Persian words and emoji sequences: kept.
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == unicode.ReplacementChar:
			continue
		}
		if n == max {
			b.WriteString("…")
			break
		}
		if space {
			b.WriteByte(' ')
			n, space = n+1, false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

func lastSegment(id string) string {
	u, err := url.Parse(id)
	if err != nil {
		return id
	}
	path := strings.TrimRight(u.Path, "/")
	if i := strings.LastIndexByte(path, '/'); i >= 0 && i < len(path)-1 {
		return cleanName(path[i+1:], MaxPersonName)
	}
	return u.Host
}

// People describes each of actorIDs from the actors cached of them.
func People(actorIDs []string, cached map[string]newsroom.RemoteActor) map[string]Person {
	out := make(map[string]Person, len(actorIDs))
	for _, id := range actorIDs {
		if a, ok := cached[id]; ok {
			out[id] = PersonOf(id, &a)
		} else {
			out[id] = PersonOf(id, nil)
		}
	}
	return out
}
