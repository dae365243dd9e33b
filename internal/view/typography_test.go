package view

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"testing"

	"github.com/soga/newsroom/web"
)

// French sets a narrow no-break space before : ; ! ? and no-break spaces
// inside « », so that a line never starts with the mark.
func TestFrenchTypography(t *testing.T) {
	b, err := fs.ReadFile(web.I18n, "i18n/fr.json")
	if err != nil {
		t.Fatal(err)
	}
	var msgs map[string]string
	if err := json.Unmarshal(b, &msgs); err != nil {
		t.Fatal(err)
	}
	bad := []*regexp.Regexp{
		regexp.MustCompile(`[ \x{00a0}][:;!?]`),    // a breaking or wide space before the mark
		regexp.MustCompile(`\pL[;!?](\s|$)`),       // no space at all
		regexp.MustCompile(`«[^\x{00a0}\x{202f}]`), // opening guillemet without its space
		regexp.MustCompile(`[^\x{00a0}\x{202f}]»`), // closing one
		regexp.MustCompile(`"`),                    // English quotes
	}
	// HTML quoted as code keeps its own quotes.
	code := regexp.MustCompile(`<[^>]*>`)
	for id, msg := range msgs {
		msg = code.ReplaceAllString(msg, "<>")
		for _, re := range bad {
			if loc := re.FindStringIndex(msg); loc != nil {
				t.Errorf("%s: %q at %q", id, re, msg[max(0, loc[0]-10):min(len(msg), loc[1]+10)])
			}
		}
	}
}
