package htmltext

import "testing"

func TestPlainText(t *testing.T) {
	for in, want := range map[string]string{
		"<h2>Titre</h2><p>Un <em>mot</em>&amp;<br>deux</p><ul><li>a</li><li>b</li></ul>": "Titre Un mot& deux a b",
		"<p>news<strong>room</strong></p><p>next</p>":                                    "newsroom next",
		"  <p>\n\tspaced   out </p> ":                                                    "spaced out",
		"":                                                                               "",
	} {
		if got := PlainText(in); got != want {
			t.Errorf("PlainText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExcerpt(t *testing.T) {
	if got := Excerpt("un deux trois quatre", 12); got != "un deux…" {
		t.Errorf("Excerpt = %q", got)
	}
	if got := Excerpt("court", 12); got != "court" {
		t.Errorf("Excerpt = %q", got)
	}
}
