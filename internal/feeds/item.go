package feeds

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
)

// item is a feed item as we read it, before anything is fetched.
type item struct {
	raw    *gofeed.Item
	guid   string
	key    string // hex SHA-256 of the GUID, the link, or the item's text
	hash   string // of everything an import copies: a change means an edit
	link   string // absolute http(s), or ""
	date   time.Time
	sortAt time.Time
	pos    int
	// base is what relative links in the item resolve against.
	base string
}

// readItem identifies fi and fingerprints its content. GUIDs are kept
// only hashed: they may be any length.
func readItem(feedURL string, f *gofeed.Feed, fi *gofeed.Item, pos int) item {
	base := feedURL
	if l := absolute(feedURL, f.Link); l != "" {
		base = l
	}
	it := item{raw: fi, pos: pos, guid: strings.TrimSpace(fi.GUID), link: absolute(base, fi.Link)}
	if it.link != "" {
		it.base = it.link
	} else {
		it.base = base
	}
	switch {
	case fi.PublishedParsed != nil:
		it.date = fi.PublishedParsed.UTC()
	case fi.UpdatedParsed != nil:
		it.date = fi.UpdatedParsed.UTC()
	}
	id := "guid:" + it.guid
	switch {
	case it.guid != "":
	case it.link != "":
		id = "link:" + it.link
	default:
		// Neither GUID nor link: the item is what it says.
		id = "text:" + fi.Title + "\x00" + fi.Published + "\x00" + fi.Description + "\x00" + fi.Content
	}
	it.key = sum(id)
	var enclosures []string
	for _, e := range fi.Enclosures {
		if e != nil {
			enclosures = append(enclosures, e.URL+" "+e.Type)
		}
	}
	it.hash = sum(strings.Join([]string{fi.Title, fi.Description, fi.Content, it.link, fi.Updated,
		strings.Join(fi.Categories, "\x01"), strings.Join(enclosures, "\x01")}, "\x00"))
	return it
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func first(exts []ext.Extension) string {
	if len(exts) == 0 {
		return ""
	}
	return exts[0].Value
}

// language is the item's language as one of ours would be named: "fr"
// for "fr-FR"; the caller falls back to the organisation's.
func language(f *gofeed.Feed, fi *gofeed.Item) string {
	lang := ""
	if fi.DublinCoreExt != nil && len(fi.DublinCoreExt.Language) > 0 {
		lang = fi.DublinCoreExt.Language[0]
	}
	if lang == "" {
		lang = f.Language
	}
	lang = strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	return lang
}
