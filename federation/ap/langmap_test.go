package ap

import (
	"encoding/json"
	"testing"
)

func TestLangMapWritesItsLanguageFirst(t *testing.T) {
	doc := map[string]any{"contentMap": LangMap{First: "fr", Values: map[string]string{
		"en": "<p>The text</p>", "fr": "<p>Le texte</p>", "de": "<p>Der Text</p>"}}}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"contentMap":{"fr":"\u003cp\u003eLe texte\u003c/p\u003e","de":"\u003cp\u003eDer Text\u003c/p\u003e","en":"\u003cp\u003eThe text\u003c/p\u003e"}}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	var back map[string]map[string]string
	if err := json.Unmarshal(b, &back); err != nil || back["contentMap"]["fr"] != "<p>Le texte</p>" {
		t.Errorf("read back %v, %v", back, err)
	}
	if b, _ := json.Marshal(LangMap{First: "fr", Values: map[string]string{"en": "x"}}); string(b) != `{"en":"x"}` {
		t.Errorf("without its first language: %s", b)
	}
}
