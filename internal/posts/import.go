package posts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/soga/newsroom/federation/convert"
	"github.com/soga/newsroom/internal/htmltext"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// MaxImportHTML bounds the HTML body of an imported item, in bytes, as
// MaxBody bounds what an editor types.
const MaxImportHTML = 512 << 10

// ImportInput is an item of an organisation's website feed. Its HTML is
// sanitised here with Policy whatever its reader did; its fields are cut
// to the limits an editor has, since a feed cannot be asked to retype.
type ImportInput struct {
	OrgID    int64
	Kind     newsroom.PostKind // article or press; "" is article
	Lang     string            // "" or unsupported: the organisation's default
	Title    string
	Summary  string // plain text
	BodyHTML string
	Tags     []string
	Media    []newsroom.PostMedia
	// SourceURL is the item's link on the organisation's website.
	SourceURL string
	// PublishedAt is the item's date; zero or future means now.
	PublishedAt time.Time
	// Draft leaves the post for an editor to publish.
	Draft bool
	// Deliver sends the Create (or Update) to followers; without it the
	// post shows on the site and in the outbox only.
	Deliver bool
}

// ErrEmptyImport refuses an item with neither title nor text.
var ErrEmptyImport = errors.New("item has no title and no text")

// Import stores a feed item as a new post of its organisation: published
// at the item's date, or as a draft. record runs in the same transaction,
// so the feed's memory of the item and the post are written together.
func (s *Service) Import(ctx context.Context, in ImportInput, record func(tx store.Tx, p *newsroom.Post) error) (*newsroom.Post, error) {
	org, err := s.store.OrgByID(ctx, in.OrgID)
	if err != nil {
		return nil, fmt.Errorf("organisation %d: %w", in.OrgID, err)
	}
	p := &newsroom.Post{ID: s.newID(), OrgID: org.ID, Status: newsroom.StatusDraft, ObjectType: newsroom.ObjectAuto}
	if err := s.fillImport(org, p, &in); err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx store.Tx) error {
		if in.Draft {
			if err := tx.CreatePost(ctx, p); err != nil {
				return err
			}
		} else {
			media, err := mediaRows(ctx, tx, p)
			if err != nil {
				return err
			}
			at := s.importDate(in.PublishedAt)
			p.Status, p.PublishedAt = newsroom.StatusPublished, at
			fixType(org, p)
			if err := tx.CreatePost(ctx, p); err != nil {
				return err
			}
			if err := s.emit(ctx, tx, convert.Create, org, p, media, at, in.Deliver); err != nil {
				return err
			}
			// History imported without delivery is not boosted either:
			// boosting it would flood the same timelines.
			if in.Deliver {
				if err := s.boostMember(ctx, tx, org, p); err != nil {
					return err
				}
			}
		}
		return record(tx, p)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// ImportUpdate applies a changed feed item to post id: a published post
// is sent again as an Update (delivered when in.Deliver), a draft is
// rewritten, and a post an editor deleted stays deleted. record runs in
// the same transaction.
func (s *Service) ImportUpdate(ctx context.Context, id string, in ImportInput, record func(tx store.Tx, p *newsroom.Post) error) (*newsroom.Post, error) {
	org, err := s.store.OrgByID(ctx, in.OrgID)
	if err != nil {
		return nil, fmt.Errorf("organisation %d: %w", in.OrgID, err)
	}
	var p *newsroom.Post
	err = s.inTx(ctx, func(tx store.Tx) error {
		if p, err = tx.PostByID(ctx, id); err != nil {
			return fmt.Errorf("post %s: %w", id, err)
		}
		if p.OrgID != org.ID {
			return fmt.Errorf("post %s belongs to another organisation: %w", id, newsroom.ErrForbidden)
		}
		switch p.Status {
		case newsroom.StatusDeleted:
		case newsroom.StatusPublished:
			objectType := p.ObjectType
			if err := s.fillImport(org, p, &in); err != nil {
				return err
			}
			p.ObjectType = objectType
			media, err := mediaRows(ctx, tx, p)
			if err != nil {
				return err
			}
			if err := s.sendEdit(ctx, tx, org, p, media, in.Deliver); err != nil {
				return err
			}
		default:
			if err := s.fillImport(org, p, &in); err != nil {
				return err
			}
			if err := update(ctx, tx, p); err != nil {
				return err
			}
		}
		return record(tx, p)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// fillImport copies an item into p, sanitised and within limits.
func (s *Service) fillImport(org *newsroom.Organisation, p *newsroom.Post, in *ImportInput) error {
	body := s.render.Sanitize(cutBytes(in.BodyHTML, MaxImportHTML))
	title := cutRunes(oneLine(in.Title), MaxTitle)
	if title == "" {
		title = cutRunes(oneLine(htmltext.PlainText(body)), 80)
	}
	if title == "" {
		return ErrEmptyImport
	}
	if body == "" && in.SourceURL != "" {
		body = s.render.Sanitize(`<p><a href="` + htmlAttr(in.SourceURL) + `">` + htmlAttr(in.SourceURL) + `</a></p>`)
	}
	lang := in.Lang
	if !newsroom.ValidLang(lang) {
		lang = org.DefaultLang
	}
	kind := in.Kind
	if kind != newsroom.KindPress {
		kind = newsroom.KindArticle
	}
	var tags []string
	for _, t := range NormaliseTags(in.Tags) {
		name := newsroom.TagName(t)
		if len(tags) < MaxTags && utf8.RuneCountInString(name) <= MaxTagLen && tagRE().MatchString(name) {
			tags = append(tags, t)
		}
	}
	var media []newsroom.PostMedia
	for _, m := range in.Media {
		if len(media) < MaxMedia {
			m.Alt = cutRunes(oneLine(m.Alt), MaxAlt)
			media = append(media, m)
		}
	}
	p.Kind, p.Lang, p.Title = kind, lang, title
	p.Summary = cutRunes(oneLine(in.Summary), MaxSummary)
	p.BodyMD, p.BodyHTML = markdownOf(body), body
	p.Tags, p.Media, p.SourceURL = tags, media, cutRunes(in.SourceURL, MaxURL)
	p.Translation, p.Event = nil, nil
	return nil
}

// importDate is an item's date, at the second, never in the future.
func (s *Service) importDate(at time.Time) time.Time {
	now := s.clock()
	if at.IsZero() || at.After(now) {
		at = now
	}
	return at.UTC().Truncate(time.Second)
}

// oneLine turns every run of spaces and control characters into one space.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f || r == ' ' }), " ")
}

func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

var attrEscaper = strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;")

func htmlAttr(s string) string { return attrEscaper.Replace(s) }
