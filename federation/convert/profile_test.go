package convert

import "testing"

func TestTextToHTML(t *testing.T) {
	for in, want := range map[string]string{
		"":                          "",
		"  \n ":                     "",
		"one":                       "<p>one</p>",
		"a\nb":                      "<p>a<br>b</p>",
		"a\r\n\r\nb":                "<p>a</p><p>b</p>",
		"a\n \n\n\nb":               "<p>a</p><p>b</p>",
		"<b>x</b> & 'y'":            "<p>&lt;b&gt;x&lt;/b&gt; &amp; &#39;y&#39;</p>",
		"see https://example.org/x": "<p>see https://example.org/x</p>",
	} {
		if got := textToHTML(in); got != want {
			t.Errorf("textToHTML(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWebsiteLink(t *testing.T) {
	const rel = `" rel="me nofollow noopener noreferrer" target="_blank">`
	for in, want := range map[string]string{
		"https://example.org":             `<a href="https://example.org` + rel + `example.org</a>`,
		"HTTP://Example.org/a/b/":         `<a href="http://Example.org/a/b/` + rel + `Example.org/a/b</a>`,
		`https://example.org/"><script>`:  `<a href="https://example.org/%22%3E%3Cscript%3E` + rel + `example.org/%22%3E%3Cscript%3E</a>`,
		"javascript:alert(1)":             "",
		"data:text/html,<script>":         "",
		"example.org":                     "",
		"https://user:pw@example.org/":    "",
		"//example.org/protocol-relative": "",
	} {
		if got := websiteLink(in); got != want {
			t.Errorf("websiteLink(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMailtoLink(t *testing.T) {
	for in, want := range map[string]string{
		"press@example.org":          `<a href="mailto:press@example.org">press@example.org</a>`,
		"Press <press@example.org>":  "",
		`x@example.org"><script>`:    "",
		"not an address":             "",
		"press@example.org?subject=": "",
	} {
		if got := mailtoLink(in); got != want {
			t.Errorf("mailtoLink(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProfilePolicy(t *testing.T) {
	p := profilePolicy()
	for in, want := range map[string]string{
		`<p>a<br>b</p>`:                                        `<p>a<br>b</p>`,
		`<a href="javascript:alert(1)">x</a>`:                  `x`,
		`<a href="https://e.org" onclick="x()" rel="me">x</a>`: `<a href="https://e.org" rel="me">x</a>`,
		`<img src=x onerror=alert(1)>`:                         ``,
		`<a href="mailto:a@e.org">a</a>`:                       `<a href="mailto:a@e.org">a</a>`,
	} {
		if got := p.Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}
