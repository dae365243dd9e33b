package posts

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"golang.org/x/net/idna"

	"github.com/soga/newsroom/internal/newsroom"
)

// Handle is an account as written in a post: @User, or @User@Host.
type Handle struct {
	User string
	Host string // as typed, "" for a bare @user
}

// Acct is the handle without its "@", as WebFinger takes it.
func (h Handle) Acct() string {
	if h.Host == "" {
		return h.User
	}
	return h.User + "@" + h.Host
}

// key tells two spellings of one account apart from two accounts: the
// user case-insensitively, as Mastodon looks it up, and the host in its
// ASCII form, so that an IDN host typed in Unicode or punycode is one.
func (h Handle) key() string {
	return strings.ToLower(h.User) + "@" + asciiHost(h.Host)
}

// asciiHost is host lowercased, in punycode when it is an IDN; a port
// stays.
func asciiHost(host string) string {
	name, port, hasPort := strings.Cut(host, ":")
	if a, err := idna.Lookup.ToASCII(name); err == nil {
		name = a
	}
	name = strings.ToLower(name)
	if hasPort {
		return name + ":" + port
	}
	return name
}

// mentionRE is a handle at the start of the text after an "@", as
// Mastodon recognises it: a user of letters, digits and "_" (with "." and
// "-" inside), and a host of word characters, dots and hyphens that ends
// with a word character, so that the full stop closing a sentence is not
// taken. A port is allowed for servers on test addresses.
//
// Compiled when first used, not at start: its Unicode classes make a
// large program, held for good by a server that may never need it.
var mentionRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^@([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)(?:@((?:[\p{L}\p{N}_-]+\.)*[\p{L}\p{N}_-]*[\p{L}\p{N}_])(?::([0-9]{1,5}))?)?`)
})

// mentionNode is a handle in the text. Resolved stays nil when the account
// is not known, and the handle is then written as it was typed.
type mentionNode struct {
	ast.BaseInline
	Handle   Handle
	Literal  []byte
	Resolved *newsroom.Mention
}

var kindMention = ast.NewNodeKind("Mention")

func (n *mentionNode) Kind() ast.NodeKind { return kindMention }

func (n *mentionNode) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Handle": n.Handle.Acct()}, nil)
}

// mentionParser finds handles in text. Goldmark calls it at each "@" that
// no other construct took: code spans and blocks, autolinks and linkified
// URLs and e-mail addresses come first, and a link's text is refused
// below, so a handle there stays text.
type mentionParser struct{}

func (mentionParser) Trigger() []byte { return []byte{'@'} }

func (mentionParser) Parse(_ ast.Node, block text.Reader, pc parser.Context) ast.Node {
	if pc.IsInLinkLabel() {
		return nil
	}
	// "a@b.org" is an address, "x/@user" part of a path: a handle starts
	// a word.
	if prev := block.PrecendingCharacter(); prev == '/' || prev == '_' || unicode.IsLetter(prev) || unicode.IsDigit(prev) || prev == '@' {
		return nil
	}
	line, _ := block.PeekLine()
	m := mentionRE().FindSubmatch(line)
	if m == nil {
		return nil
	}
	// "@zoé" is no handle "@zo" followed by "é": a handle ends a word.
	if next, _ := utf8.DecodeRune(line[len(m[0]):]); next == '_' || unicode.IsLetter(next) || unicode.IsDigit(next) {
		return nil
	}
	h := Handle{User: string(m[1]), Host: string(m[2])}
	if len(m[3]) > 0 {
		h.Host += ":" + string(m[3])
	}
	n := &mentionNode{Handle: h, Literal: append([]byte(nil), m[0]...)}
	block.Advance(len(m[0]))
	return n
}

// mentionHTML writes a resolved handle as Mastodon does, which its
// clients and the microformats readers recognise.
type mentionHTML struct{}

func (mentionHTML) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindMention, func(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		n := node.(*mentionNode)
		if n.Resolved == nil {
			_, _ = w.Write(util.EscapeHTML(n.Literal))
			return ast.WalkSkipChildren, nil
		}
		_, _ = w.WriteString(`<span class="h-card" translate="no"><a href="`)
		_, _ = w.Write(util.EscapeHTML(util.URLEscape([]byte(n.Resolved.URL), true)))
		_, _ = w.WriteString(`" class="u-url mention" rel="nofollow noopener">@<span>`)
		_, _ = w.Write(util.EscapeHTML([]byte(n.Handle.User)))
		_, _ = w.WriteString(`</span></a></span>`)
		return ast.WalkSkipChildren, nil
	})
}

// mentionExtension adds handles to goldmark.
type mentionExtension struct{}

func (mentionExtension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithInlineParsers(util.Prioritized(mentionParser{}, 500)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(mentionHTML{}, 500)))
}
