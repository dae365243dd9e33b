package posts

import (
	"slices"
	"strings"
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
)

func TestHandles(t *testing.T) {
	r := NewRenderer(testURLs)
	tests := []struct {
		md   string
		want []Handle
	}{
		{"Hello @ada@social.example!", []Handle{{"ada", "social.example"}}},
		{"Thanks @ada@social.example.", []Handle{{"ada", "social.example"}}},
		{"(@ada@social.example), @bob@b.example: yes; @cat@c.example?", []Handle{{"ada", "social.example"}, {"bob", "b.example"}, {"cat", "c.example"}}},
		{"@first.last@host.example-", []Handle{{"first.last", "host.example"}}},
		{"IDN: @zoé@bücher.example and again @ZOÉ@xn--bcher-kva.example", nil},
		{"IDN: @zoe@bücher.example and again @ZOE@xn--bcher-kva.example", []Handle{{"zoe", "bücher.example"}}},
		{"a port: @peer@127.0.0.1:8080.", []Handle{{"peer", "127.0.0.1:8080"}}},
		{"local @quartier, twice @quartier", []Handle{{"quartier", ""}}},
		{"write to a@b.org or contact@asso.example", nil},
		{"`@ada@social.example` in code", nil},
		{"```\n@ada@social.example\n```", nil},
		{"    @ada@social.example indented code", nil},
		{"[@ada@social.example](https://elsewhere.example/) a link", nil},
		{"https://social.example/@ada@social.example a URL", nil},
		{"<https://social.example/@ada> an autolink", nil},
		{"x/@ada@social.example a path", nil},
		{"**@ada@social.example** strong", []Handle{{"ada", "social.example"}}},
		{"@ alone, @@double, @.", nil},
	}
	for _, tt := range tests {
		got := r.Handles(tt.md)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Handles(%q) = %v, want %v", tt.md, got, tt.want)
		}
	}
}

func TestRenderMentions(t *testing.T) {
	r := NewRenderer(testURLs)
	ada := newsroom.Mention{Name: "@ada@social.example", Actor: "https://social.example/users/ada",
		URL: "https://social.example/@ada", Inbox: "https://social.example/inbox"}
	zoe := newsroom.Mention{Name: "@zoe@xn--bcher-kva.example", Actor: "https://xn--bcher-kva.example/u/zoe",
		URL: "https://xn--bcher-kva.example/@zoe"}
	resolved := map[string]newsroom.Mention{
		Handle{"ada", "social.example"}.key(): ada,
		Handle{"zoe", "bücher.example"}.key(): zoe,
	}
	const link = `<span class="h-card" translate="no"><a href="https://social.example/@ada" class="u-url mention" rel="nofollow noopener">@<span>ada</span></a></span>`
	tests := []struct{ md, want string }{
		{"Hello @ada@social.example.", `<p>Hello ` + link + `.</p>`},
		{"Hello @Ada@Social.Example", `<p>Hello <span class="h-card" translate="no"><a href="https://social.example/@ada" class="u-url mention" rel="nofollow noopener">@<span>Ada</span></a></span></p>`},
		{"Hi @zoe@xn--bcher-kva.example", `<p>Hi <span class="h-card" translate="no"><a href="https://xn--bcher-kva.example/@zoe" class="u-url mention" rel="nofollow noopener">@<span>zoe</span></a></span></p>`},
		{"`@ada@social.example`", `<p><code>@ada@social.example</code></p>`},
		{"[@ada@social.example](https://elsewhere.example/)", `<p><a href="https://elsewhere.example/">@ada@social.example</a></p>`},
		{"unknown @nobody@social.example & co", `<p>unknown @nobody@social.example &amp; co</p>`},
		{"mail ada@social.example", `<p>mail <a href="mailto:ada@social.example">ada@social.example</a></p>`},
	}
	for _, tt := range tests {
		got, err := r.RenderMentions(tt.md, resolved)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("RenderMentions(%q)\n got %s\nwant %s", tt.md, got, tt.want)
		}
	}
	// Written by hand, the same markup loses what only a mention may have.
	got := r.Sanitize(`<span class="evil" style="x">a</span><a href="https://x.example/" class="u-url">b</a>`)
	if strings.Contains(got, "evil") || strings.Contains(got, "style") || strings.Contains(got, "class") {
		t.Errorf("Sanitize kept foreign attributes: %s", got)
	}
}
