package posts

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/urls"
)

// Renderer turns an editor's Markdown into the HTML we store, serve and
// federate. Goldmark drops raw HTML (it is not run with WithUnsafe), and
// the result goes through Policy all the same: a second line of defence.
//
// The Markdown parser is built when first used: with its policy it is
// 0.15 MB of regular expressions and tables, held for the life of the
// process by every service that may render, though a server left alone
// renders nothing.
type Renderer struct {
	markdown func() goldmark.Markdown // built on first call
	policy   *Sanitizer
}

// NewRenderer returns a Renderer for posts under u's base URL.
func NewRenderer(u urls.Builder) *Renderer {
	base := u.Base()
	markdown := sync.OnceValue(func() goldmark.Markdown {
		return goldmark.New(
			goldmark.WithExtensions(extension.Strikethrough, extension.Linkify, mentionExtension{}),
			goldmark.WithParserOptions(parser.WithASTTransformers(
				util.Prioritized(absoluteLinks{base: base}, 100),
				util.Prioritized(remoteImages{ours: mediaPattern(u)}, 110), // after absoluteLinks: goldmark runs lower values first
			)),
		)
	})
	return &Renderer{markdown: markdown, policy: NewSanitizer(u)}
}

// Render converts Markdown to sanitised HTML. Handles stay text.
func (r *Renderer) Render(markdown string) (string, error) {
	return r.RenderMentions(markdown, nil)
}

// RenderMentions is Render, with the handles found in resolved (by
// Handle.key) written as links to the accounts' profiles.
func (r *Renderer) RenderMentions(markdown string, resolved map[string]newsroom.Mention) (string, error) {
	src := []byte(markdown)
	md := r.markdown()
	doc := md.Parser().Parse(text.NewReader(src))
	walkMentions(doc, func(n *mentionNode) {
		if m, ok := resolved[n.Handle.key()]; ok {
			n.Resolved = &m
		}
	})
	var buf bytes.Buffer
	if err := md.Renderer().Render(&buf, src, doc); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	return strings.TrimSpace(r.policy.Sanitize(buf.String())), nil
}

// Handles lists the accounts markdown mentions, each once, in order.
func (r *Renderer) Handles(markdown string) []Handle {
	doc := r.markdown().Parser().Parse(text.NewReader([]byte(markdown)))
	var hs []Handle
	seen := make(map[string]bool)
	walkMentions(doc, func(n *mentionNode) {
		if k := n.Handle.key(); !seen[k] {
			seen[k] = true
			hs = append(hs, n.Handle)
		}
	})
	return hs
}

func walkMentions(doc ast.Node, fn func(n *mentionNode)) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if m, ok := n.(*mentionNode); ok && entering {
			fn(m)
		}
		return ast.WalkContinue, nil
	})
}

// Sanitize cleans HTML we did not write (an imported item's) with Policy.
func (r *Renderer) Sanitize(html string) string {
	return strings.TrimSpace(r.policy.Sanitize(html))
}

// Sanitizer is Policy built when first used, for the services that hold
// one from the start but may never sanitise anything.
type Sanitizer struct {
	policy func() *bluemonday.Policy // built on first call
}

// NewSanitizer returns a Sanitizer of Policy(u).
func NewSanitizer(u urls.Builder) *Sanitizer {
	return &Sanitizer{policy: sync.OnceValue(func() *bluemonday.Policy { return Policy(u) })}
}

// Sanitize cleans html with Policy.
func (s *Sanitizer) Sanitize(html string) string { return s.policy().Sanitize(html) }

// Policy is the one sanitiser of post HTML: structure, emphasis, quotes,
// code, links to http(s) and mailto, and images only from our own /media/
// (a post must not make readers' browsers fetch from elsewhere). No
// styles, no ids, and no classes but those of a mention.
func Policy(u urls.Builder) *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
		"ul", "ol", "li", "strong", "em", "b", "i", "del", "s",
		"blockquote", "code", "pre")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.AllowAttrs("src").Matching(mediaPattern(u)).OnElements("img")
	p.AllowAttrs("alt", "title").OnElements("img")
	// Mentions as Mastodon writes them (mentionHTML), and nothing more.
	p.AllowElements("span")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^h-card$`)).OnElements("span")
	p.AllowAttrs("translate").Matching(regexp.MustCompile(`^no$`)).OnElements("span")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^u-url mention$`)).OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^nofollow noopener$`)).OnElements("a")
	return p
}

// mediaPattern matches the absolute URLs of our own uploaded images, the
// only images a post may show.
func mediaPattern(u urls.Builder) *regexp.Regexp {
	return regexp.MustCompile(`^` + regexp.QuoteMeta(u.Media("")) + `[0-9a-f]{64}(?:[._-][0-9a-z._-]*)?$`)
}

// remoteImages turns a Markdown image from another site into a link to
// it, its description as the text. Readers' browsers must not fetch from
// elsewhere, and the policy would strip the image's src and leave an
// empty picture where the editor put one: a link keeps what was meant,
// and the preview shows the editor what readers will get.
type remoteImages struct{ ours *regexp.Regexp }

func (ri remoteImages) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	var remote []*ast.Image
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if img, ok := n.(*ast.Image); ok && entering && !ri.ours.Match(img.Destination) {
			remote = append(remote, img)
		}
		return ast.WalkContinue, nil
	})
	for _, img := range remote {
		link := ast.NewLink()
		link.Destination, link.Title = img.Destination, img.Title
		for c := img.FirstChild(); c != nil; {
			next := c.NextSibling()
			link.AppendChild(link, c)
			c = next
		}
		if !link.HasChildren() {
			link.AppendChild(link, ast.NewString(img.Destination))
		}
		img.Parent().ReplaceChild(img.Parent(), img, link)
	}
}

// absoluteLinks makes site-relative links and images ("/media/…",
// "/orgs/…") absolute: post HTML travels to other servers, where a
// relative URL would point at them.
type absoluteLinks struct{ base string }

func (a absoluteLinks) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch v := n.(type) {
		case *ast.Link:
			v.Destination = a.abs(v.Destination)
		case *ast.Image:
			v.Destination = a.abs(v.Destination)
		}
		return ast.WalkContinue, nil
	})
}

func (a absoluteLinks) abs(dest []byte) []byte {
	if len(dest) > 1 && dest[0] == '/' && dest[1] != '/' {
		return append([]byte(a.base), dest...)
	}
	return dest
}
