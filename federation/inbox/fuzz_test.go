package inbox

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzParseActivity feeds arbitrary bodies to what the inbox runs before
// any signature check: it must never panic, must answer quickly, and an
// accepted activity must carry what the handler relies on.
func FuzzParseActivity(f *testing.F) {
	for _, seed := range []string{
		mastodonFollow,
		mastodonLike,
		mastodonUndoFollow,
		mastodonCreateNote,
		mastodonDeleteActor,
		mastodonEmojiReact,
		// Deep and wide documents.
		`{"a":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + "}",
		strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40),
		`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/1","type":"Create",` +
			`"actor":"https://a.example/u","object":{"type":"Note","tag":[` +
			strings.TrimSuffix(strings.Repeat(`{"type":"Hashtag","name":"#a"},`, 1100), ",") + `]}}`,
		// Odd types and shapes.
		`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/1","type":["Like","Announce"],` +
			`"actor":"https://a.example/u","object":"https://b.example/1"}`,
		`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/1","type":null,"actor":null}`,
		`{"@context":{"as":"https://www.w3.org/ns/activitystreams"},"id":"https://a.example/1","type":"as:Like",` +
			`"actor":"https://a.example/u","object":"https://b.example/1"}`,
		`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/1","type":"Like",` +
			`"actor":["https://a.example/u","https://c.example/v"],"object":[]}`,
		`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/1","type":"Announce",` +
			`"actor":"https://a.example/u","object":{"id":"https://b.example/1","type":"Note",` +
			`"attributedTo":{"id":"https://b.example/u"},"content":{"x":1}}}`,
		`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/1","type":"Update",` +
			`"actor":"https://a.example/u","object":{"id":"https://a.example/u","type":"Person",` +
			`"publicKey":[{"id":"https://a.example/u#k","owner":"https://a.example/u","publicKeyPem":7}]}}`,
		`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/1","type":"Question",` +
			`"actor":"https://a.example/u","oneOf":[{"name":"a"}],"endTime":"not a date"}`,
		`{"@context":"https://www.w3.org/ns/activitystreams","id":"http://[::1","type":"Like","actor":"http://%zz"}`,
		`{"id":"https://a.example/1","type":"Bite","actor":"https://a.example/u"}`,
		`{"@context":[],"type":"","id":"","actor":""}`,
		`{}`,
		`[]`,
		`{"a":1}{"b":2}`,
		"{\"a\":\"\xff\xfe\"}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		start := time.Now()
		a, err := parseActivity(context.Background(), body)
		if d := time.Since(start); d > time.Second && len(body) < MaxBody {
			t.Fatalf("parsing %d bytes took %v", len(body), d)
		}
		if err != nil && !errors.Is(err, errUnsupported) {
			if a != nil {
				t.Fatal("activity returned with an error")
			}
			return
		}
		if a == nil {
			t.Fatalf("no activity and error %v", err)
		}
		if !isHTTPURL(a.ID) || !isHTTPURL(a.Actor) || a.Type == "" {
			t.Fatalf("accepted activity without id, actor or type: %+v", a)
		}
		if err := checkShape(body); err != nil {
			t.Fatalf("accepted a body checkShape refuses: %v", err)
		}
	})
}
