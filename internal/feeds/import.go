package feeds

import (
	"bytes"
	"context"
	"errors"
	"strings"

	"github.com/mmcdole/gofeed"
	jsonfeed "github.com/mmcdole/gofeed/json"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/soga/newsroom/internal/htmltext"
	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/store"
)

// create imports a new item as a post.
func (s *Service) create(ctx context.Context, src *newsroom.FeedSource, f *gofeed.Feed, it item, deliver bool, cache map[string]*fetched, progress Progress) error {
	in := s.input(ctx, src, f, it, cache, progress)
	in.Deliver = deliver && !in.Draft
	_, err := s.posts.Import(ctx, in, func(tx store.Tx, p *newsroom.Post) error {
		return tx.AddFeedItem(ctx, newsroom.FeedItem{OrgID: src.OrgID, GUIDHash: it.key, SourceID: src.ID,
			PostID: p.ID, ContentHash: it.hash, Delivered: in.Deliver})
	})
	if errors.Is(err, newsroom.ErrConflict) {
		// Another poll of the same feed imported it first; the post this
		// one wrote was rolled back with the record.
		return errImportedMeanwhile
	}
	return err
}

// errImportedMeanwhile is an item that another poll, running at the same
// time, imported first.
var errImportedMeanwhile = errors.New("imported meanwhile by another poll")

// change applies a changed item to its post. Followers hear of the edit
// only if they were sent the post.
func (s *Service) change(ctx context.Context, src *newsroom.FeedSource, f *gofeed.Feed, it item, old *newsroom.FeedItem, cache map[string]*fetched, progress Progress) error {
	in := s.input(ctx, src, f, it, cache, progress)
	in.Deliver = old.Delivered
	_, err := s.posts.ImportUpdate(ctx, old.PostID, in, func(tx store.Tx, p *newsroom.Post) error {
		return tx.PutFeedItem(ctx, newsroom.FeedItem{OrgID: src.OrgID, GUIDHash: it.key, SourceID: src.ID,
			PostID: p.ID, ContentHash: it.hash, Delivered: old.Delivered})
	})
	return err
}

// input turns an item into what the publishing service imports: its
// images re-hosted, its links absolute. An image without a description
// sends the item to review, as an editor's post could not be published
// without one.
func (s *Service) input(ctx context.Context, src *newsroom.FeedSource, f *gofeed.Feed, it item, cache map[string]*fetched, progress Progress) posts.ImportInput {
	fi := it.raw
	content, summary := fi.Content, ""
	if content == "" {
		content = fi.Description
	} else {
		summary = htmltext.Excerpt(htmltext.PlainText(fi.Description), posts.MaxSummary)
	}
	in := posts.ImportInput{OrgID: src.OrgID, Kind: src.Kind, Lang: language(f, fi),
		Title: htmltext.PlainText(fi.Title), Summary: summary, Tags: fi.Categories,
		SourceURL: it.link, PublishedAt: it.date, Draft: src.Review}
	body, attached, missingAlt := s.rewrite(ctx, content, it.base, cache, progress)
	for _, e := range enclosures(f, it) {
		if len(attached) >= posts.MaxMedia {
			break
		}
		im := s.rehost(ctx, e.url, cache, progress)
		if im.err != nil || has(attached, im.media.ID) {
			continue
		}
		if e.alt == "" {
			missingAlt = true
		}
		attached = append(attached, newsroom.PostMedia{MediaID: im.media.ID, Alt: e.alt})
	}
	in.BodyHTML, in.Media = body, attached
	in.Draft = in.Draft || missingAlt
	return in
}

// enclosure is an image attached to an item.
type enclosure struct{ url, alt string }

// enclosures are the item's image enclosures (RSS <enclosure>, Atom
// rel="enclosure", JSON Feed attachments) and Media RSS contents, with
// the description Media RSS or the attachment's title gives them.
func enclosures(f *gofeed.Feed, it item) []enclosure {
	var out []enclosure
	seen := map[string]bool{}
	add := func(raw, typ, alt string) {
		u := absolute(it.base, raw)
		if u == "" || seen[u] || !strings.HasPrefix(strings.ToLower(typ), "image/") {
			return
		}
		seen[u] = true
		out = append(out, enclosure{url: u, alt: oneLine(alt)})
	}
	for _, c := range it.raw.Extensions["media"]["content"] {
		alt := first(c.Children["description"])
		if alt == "" {
			alt = first(c.Children["title"])
		}
		typ := c.Attrs["type"]
		if typ == "" && c.Attrs["medium"] == "image" {
			typ = "image/"
		}
		add(c.Attrs["url"], typ, alt)
	}
	if jf, ok := f.OriginalFeed().(*jsonfeed.Feed); ok {
		for _, ji := range jf.Items {
			if ji == nil || ji.ID != it.raw.GUID || ji.Attachments == nil {
				continue
			}
			for _, a := range *ji.Attachments {
				add(a.URL, a.MimeType, a.Title)
			}
		}
	}
	for _, e := range it.raw.Enclosures {
		if e != nil {
			add(e.URL, e.Type, "")
		}
	}
	return out
}

// rewrite makes the item's HTML ours: links absolute against the item's
// page, images re-hosted and pointing at our media, or dropped. It
// returns the images it kept as attachments (up to MaxMedia) and whether
// one had no description. The result still goes through the posts'
// sanitiser.
func (s *Service) rewrite(ctx context.Context, content, base string, cache map[string]*fetched, progress Progress) (string, []newsroom.PostMedia, bool) {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(content), body)
	if err != nil {
		return "", nil, false
	}
	var attached []newsroom.PostMedia
	missingAlt := false
	images := 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; {
			next := c.NextSibling
			if c.Type == html.ElementNode {
				switch c.DataAtom {
				case atom.A:
					setAttr(c, "href", absolute(base, attr(c, "href")))
				case atom.Img:
					if m, alt, ok := s.image(ctx, c, base, &images, cache, progress); ok {
						c.Attr = []html.Attribute{{Key: "src", Val: s.urls.Media(media.FileName(*m))}, {Key: "alt", Val: alt}}
						if alt == "" {
							missingAlt = true
						}
						if len(attached) < posts.MaxMedia && !has(attached, m.ID) {
							attached = append(attached, newsroom.PostMedia{MediaID: m.ID, Alt: alt})
						}
					} else {
						n.RemoveChild(c)
					}
				case atom.Script, atom.Style, atom.Iframe, atom.Object, atom.Embed, atom.Noscript:
					n.RemoveChild(c)
					c = next
					continue
				}
				walk(c)
			}
			c = next
		}
	}
	root := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	walk(root)
	var buf bytes.Buffer
	for c := root.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&buf, c); err != nil {
			return "", nil, false
		}
	}
	return buf.String(), attached, missingAlt
}

// image re-hosts an <img>; WordPress's lazy loading puts the real
// address in data-src.
func (s *Service) image(ctx context.Context, n *html.Node, base string, count *int, cache map[string]*fetched, progress Progress) (*newsroom.Media, string, bool) {
	src := attr(n, "src")
	if ds := attr(n, "data-src"); ds != "" && (src == "" || strings.HasPrefix(src, "data:")) {
		src = ds
	}
	u := absolute(base, src)
	if u == "" || *count >= MaxImagesPerItem {
		return nil, "", false
	}
	*count++
	im := s.rehost(ctx, u, cache, progress)
	if im.err != nil {
		return nil, "", false
	}
	return im.media, oneLine(attr(n, "alt")), true
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}

// setAttr sets key, or removes it when v is "".
func setAttr(n *html.Node, key, v string) {
	out := n.Attr[:0]
	for _, a := range n.Attr {
		if a.Key != key {
			out = append(out, a)
		}
	}
	if v != "" {
		out = append(out, html.Attribute{Key: key, Val: v})
	}
	n.Attr = out
}

func has(ms []newsroom.PostMedia, id string) bool {
	for _, m := range ms {
		if m.MediaID == id {
			return true
		}
	}
	return false
}
