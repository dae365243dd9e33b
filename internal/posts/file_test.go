package posts

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

func TestParseFileEvent(t *testing.T) {
	in, err := ParseFile([]byte("\ufeff---\r\ntitle: Forum\r\ntags: [forum, \"#Lyon\"]\r\nstart: 2030-05-02 18:00\r\n" +
		"end: 2030-05-02T20:00\r\ntimezone: Europe/Paris\r\nplace: Halle\r\npublish_at: 2030-04-01T08:00:00Z\r\n" +
		"translation:\r\n  lang: en\r\n  title: Fair\r\n  body: Meetings.\r\n---\r\n\r\nRencontres.\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	switch {
	case in.Kind != newsroom.KindEvent, in.Title != "Forum", in.Body != "Rencontres.\n",
		strings.Join(in.Tags, ",") != "forum,#Lyon":
		t.Errorf("input: %+v", in)
	case in.Event == nil || !in.Event.Start.Equal(time.Date(2030, 5, 2, 18, 0, 0, 0, paris)) ||
		!in.Event.End.Equal(time.Date(2030, 5, 2, 20, 0, 0, 0, paris)) || in.Event.PlaceName != "Halle":
		t.Errorf("event: %+v", in.Event)
	case !in.PublishAt.Equal(time.Date(2030, 4, 1, 8, 0, 0, 0, time.UTC)):
		t.Errorf("publish at %v", in.PublishAt)
	case in.Translation == nil || in.Translation.Lang != "en" || in.Translation.Title != "Fair":
		t.Errorf("translation: %+v", in.Translation)
	}
}

func TestParseFileWithoutFrontMatter(t *testing.T) {
	in, err := ParseFile([]byte("Just **Markdown**.\n"))
	if err != nil || in.Body != "Just **Markdown**.\n" || in.Kind != "" || in.Event != nil {
		t.Errorf("%+v, %v", in, err)
	}
}

func TestParseFileMistakes(t *testing.T) {
	_, err := ParseFile([]byte("---\nstart: soon\nend: later\npublish_at: tomorrow\n---\nText.\n"))
	var v *newsroom.ValidationError
	if !errors.As(err, &v) || v.Fields["start"] != "invalid" || v.Fields["end"] != "invalid" || v.Fields["publish_at"] != "invalid" {
		t.Errorf("times: %v", err)
	}
	if _, err := ParseFile([]byte("---\ntitle: x\n")); err == nil || !strings.Contains(err.Error(), "no closing") {
		t.Errorf("unclosed front matter: %v", err)
	}
	if _, err := ParseFile([]byte("---\ntitle: [\n---\n")); err == nil || !strings.Contains(err.Error(), "front matter") {
		t.Errorf("bad YAML: %v", err)
	}
}

// A post file may set who interacts; an unset field stays the
// organisation's, and a value that is not a choice is refused by the
// service's validation.
func TestParseFilePolicy(t *testing.T) {
	in, err := ParseFile([]byte("---\ntitle: Déclaration\npolicy:\n  quote: manual\n  reply: followers\n---\nTexte.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (newsroom.InteractionPolicy{Quote: newsroom.ApprovalManual, Reply: newsroom.ApprovalFollowers}); in.Policy != want {
		t.Errorf("policy %+v, want %+v", in.Policy, want)
	}
	in, err = ParseFile([]byte("---\ntitle: x\npolicy:\n  like: everyone\n---\nTexte.\n"))
	if err != nil {
		t.Fatal(err)
	}
	var v newsroom.ValidationError
	in.Policy.Validate(&v, true)
	if v.Fields["policy_like"] != "policy_invalid" || len(v.Fields) != 1 {
		t.Errorf("validation: %v", v.Fields)
	}
}
