package site

import (
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// page is a parsed HTML document with the look-ups the tests need.
type page struct {
	root *html.Node
}

func parseHTML(t *testing.T, body string) page {
	t.Helper()
	n, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return page{n}
}

func attrOf(n *html.Node, name string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// all returns the elements named tag whose attributes include the given
// name, value pairs.
func (p page) all(tag string, attrs ...string) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			match := true
			for i := 0; i+1 < len(attrs); i += 2 {
				if attrOf(n, attrs[i]) != attrs[i+1] {
					match = false
				}
			}
			if match {
				out = append(out, n)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(p.root)
	return out
}

func (p page) first(tag string, attrs ...string) *html.Node {
	if all := p.all(tag, attrs...); len(all) > 0 {
		return all[0]
	}
	return nil
}

// og returns the content of <meta property=name>.
func (p page) og(name string) string { return attrOf(p.first("meta", "property", name), "content") }

// meta returns the content of <meta name=name>.
func (p page) meta(name string) string { return attrOf(p.first("meta", "name", name), "content") }

func textOf(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

// jsonLD decodes the page's one JSON-LD block.
func (p page) jsonLD(t *testing.T) map[string]any {
	t.Helper()
	scripts := p.all("script", "type", "application/ld+json")
	if len(scripts) != 1 {
		t.Fatalf("%d JSON-LD blocks, want 1", len(scripts))
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(textOf(scripts[0])), &m); err != nil {
		t.Fatalf("JSON-LD: %v\n%s", err, textOf(scripts[0]))
	}
	return m
}
