package inbox

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// Activities as Mastodon 4.3 sends them, for the table tests and the
// fuzzer's seed corpus.
const (
	mastodonFollow = `{"@context":"https://www.w3.org/ns/activitystreams",` +
		`"id":"https://mastodon.example/4b2c9a8e-7f1d-4c3b-9d1e-0a1b2c3d4e5f",` +
		`"type":"Follow","actor":"https://mastodon.example/users/alice",` +
		`"object":"https://news.example/orgs/soga"}`
	mastodonLike = `{"@context":"https://www.w3.org/ns/activitystreams",` +
		`"id":"https://mastodon.example/users/alice#likes/1234","type":"Like",` +
		`"actor":"https://mastodon.example/users/alice",` +
		`"object":"https://news.example/orgs/soga/posts/01JD0000000000000000000001"}`
	mastodonUndoFollow = `{"@context":"https://www.w3.org/ns/activitystreams",` +
		`"id":"https://mastodon.example/users/alice#follows/77/undo","type":"Undo",` +
		`"actor":"https://mastodon.example/users/alice",` +
		`"object":{"id":"https://mastodon.example/4b2c9a8e-7f1d-4c3b-9d1e-0a1b2c3d4e5f","type":"Follow",` +
		`"actor":"https://mastodon.example/users/alice","object":"https://news.example/orgs/soga"}}`
	mastodonCreateNote = `{"@context":["https://www.w3.org/ns/activitystreams",` +
		`{"ostatus":"http://ostatus.org#","atomUri":"ostatus:atomUri","sensitive":"as:sensitive",` +
		`"toot":"http://joinmastodon.org/ns#","Hashtag":"as:Hashtag"}],` +
		`"id":"https://mastodon.example/users/alice/statuses/113/activity","type":"Create",` +
		`"actor":"https://mastodon.example/users/alice","published":"2025-03-01T12:00:00Z",` +
		`"to":["https://www.w3.org/ns/activitystreams#Public"],` +
		`"cc":["https://mastodon.example/users/alice/followers"],` +
		`"object":{"id":"https://mastodon.example/users/alice/statuses/113","type":"Note",` +
		`"summary":null,"inReplyTo":"https://news.example/orgs/soga/posts/01JD0000000000000000000001",` +
		`"published":"2025-03-01T12:00:00Z","url":"https://mastodon.example/@alice/113",` +
		`"attributedTo":"https://mastodon.example/users/alice",` +
		`"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":[],"sensitive":false,` +
		`"content":"<p>Merci !</p>","contentMap":{"fr":"<p>Merci !</p>"},` +
		`"attachment":[],"tag":[{"type":"Hashtag","href":"https://mastodon.example/tags/news","name":"#news"}]}}`
	mastodonDeleteActor = `{"@context":"https://www.w3.org/ns/activitystreams",` +
		`"id":"https://mastodon.example/users/alice#delete","type":"Delete",` +
		`"actor":"https://mastodon.example/users/alice","to":["https://www.w3.org/ns/activitystreams#Public"],` +
		`"object":"https://mastodon.example/users/alice",` +
		`"signature":{"type":"RsaSignature2017","creator":"https://mastodon.example/users/alice#main-key",` +
		`"created":"2025-03-01T12:00:00Z","signatureValue":"bm90IGEgc2lnbmF0dXJl"}}`
	mastodonEmojiReact = `{"@context":"https://www.w3.org/ns/activitystreams",` +
		`"id":"https://misskey.example/reactions/1","type":"EmojiReact",` +
		`"actor":"https://misskey.example/users/1","object":"https://news.example/orgs/soga/posts/1","content":"👍"}`
)

func TestCheckShape(t *testing.T) {
	tests := []struct {
		name string
		body string
		ok   bool
	}{
		{"object", `{"a":1}`, true},
		{"empty object", `{}`, true},
		{"nested within limit", strings.Repeat(`{"a":`, maxDepth-1) + "1" + strings.Repeat("}", maxDepth-1), true},
		{"nested too deep", strings.Repeat(`{"a":`, maxDepth+1) + "1" + strings.Repeat("}", maxDepth+1), false},
		{"arrays too deep", `{"a":` + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth) + "}", false},
		{"array at the limit", `{"a":[` + strings.TrimSuffix(strings.Repeat("1,", maxArrayItems), ",") + "]}", true},
		{"array too long", `{"a":[` + strings.TrimSuffix(strings.Repeat("1,", maxArrayItems+1), ",") + "]}", false},
		{"array of objects too long", `{"a":[` + strings.TrimSuffix(strings.Repeat("{},", maxArrayItems+1), ",") + "]}", false},
		{"array", `[{"a":1}]`, false},
		{"string", `"a"`, false},
		{"number", `1`, false},
		{"null", `null`, false},
		{"empty", ``, false},
		{"whitespace", "  \n", false},
		{"truncated", `{"a":[1,2`, false},
		{"trailing object", `{"a":1}{"b":2}`, false},
		{"trailing garbage", `{"a":1} x`, false},
		{"trailing whitespace", "{\"a\":1}\n", true},
		{"unbalanced", `{"a":1}}`, false},
		{"invalid", `{"a":}`, false},
		{"bad escape", `{"a":"\x"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkShape([]byte(tt.body))
			if (err == nil) != tt.ok {
				t.Fatalf("checkShape = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

// Huge inputs are refused in one cheap pass, long before the limit of
// the body they came in.
func TestCheckShapeQuick(t *testing.T) {
	deep := strings.Repeat("[", 100000)
	tags := `{"type":"Note","tag":[` + strings.TrimSuffix(strings.Repeat(`"a",`, 100000), ",") + "]}"
	for name, body := range map[string]string{"deep": `{"a":` + deep, "wide": tags} {
		start := time.Now()
		if err := checkShape([]byte(body)); !errors.Is(err, errShape) {
			t.Errorf("%s: %v, want errShape", name, err)
		}
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Errorf("%s: took %v", name, d)
		}
	}
}

func TestParseActivity(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		wantErr     string // substring; "" for success
		unsupported bool
		typ, actor  string
		objectID    string
		embedded    bool
	}{
		{name: "follow", body: mastodonFollow, typ: "Follow", actor: "https://mastodon.example/users/alice",
			objectID: "https://news.example/orgs/soga"},
		{name: "like", body: mastodonLike, typ: "Like", actor: "https://mastodon.example/users/alice",
			objectID: "https://news.example/orgs/soga/posts/01JD0000000000000000000001"},
		{name: "undo follow", body: mastodonUndoFollow, typ: "Undo", actor: "https://mastodon.example/users/alice",
			objectID: "https://mastodon.example/4b2c9a8e-7f1d-4c3b-9d1e-0a1b2c3d4e5f", embedded: true},
		{name: "create note", body: mastodonCreateNote, typ: "Create", actor: "https://mastodon.example/users/alice",
			objectID: "https://mastodon.example/users/alice/statuses/113", embedded: true},
		{name: "delete actor with LD signature", body: mastodonDeleteActor, typ: "Delete",
			actor: "https://mastodon.example/users/alice", objectID: "https://mastodon.example/users/alice"},
		{name: "type outside the vocabulary", body: mastodonEmojiReact, unsupported: true, typ: "EmojiReact",
			actor: "https://misskey.example/users/1"},
		{name: "embedded actor", typ: "Like", actor: "https://a.example/u",
			body: `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/1","type":"Like",` +
				`"actor":{"id":"https://a.example/u","type":"Person"},"object":"https://b.example/2"}`,
			objectID: "https://b.example/2"},
		{name: "not an activity", wantErr: "not an activity",
			body: `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/n","type":"Note","content":"x"}`},
		{name: "actor document", wantErr: "not an activity",
			body: `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/u","type":"Person"}`},
		{name: "no id", wantErr: "no valid id",
			body: `{"@context":"https://www.w3.org/ns/activitystreams","type":"Like","actor":"https://a.example/u","object":"https://b.example/1"}`},
		{name: "id not http", wantErr: "no valid id",
			body: `{"@context":"https://www.w3.org/ns/activitystreams","id":"urn:x:1","type":"Like","actor":"https://a.example/u"}`},
		{name: "no actor", wantErr: "no valid actor",
			body: `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/1","type":"Like","object":"https://b.example/1"}`},
		{name: "actor not http", wantErr: "no valid actor",
			body: `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/1","type":"Like","actor":"file:///etc/passwd"}`},
		{name: "unknown type without actor", wantErr: "not an ActivityStreams activity",
			body: `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/1","type":"Bite"}`},
		{name: "unknown type with a bad actor", wantErr: "not an ActivityStreams activity",
			body: `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/1","type":"Bite","actor":"javascript:x"}`},
		{name: "known type without actor", wantErr: "no valid actor",
			body: `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/1","type":"Flag"}`},
		// go-fed needs @context; without it the activity is only recorded.
		{name: "no context", unsupported: true, typ: "Like", actor: "https://a.example/u",
			body: `{"id":"https://a.example/1","type":"Like","actor":"https://a.example/u","object":"https://b.example/1"}`},
		{name: "no type", wantErr: "not an ActivityStreams activity",
			body: `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/1","actor":"https://a.example/u"}`},
		{name: "type not a string", wantErr: "not an ActivityStreams activity",
			body: `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/1","type":7,"actor":"https://a.example/u"}`},
		{name: "not JSON", wantErr: "invalid JSON", body: `Like`},
		{name: "too deep", wantErr: "too deep", body: strings.Repeat(`{"a":`, 1000) + "1" + strings.Repeat("}", 1000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := parseActivity(context.Background(), []byte(tt.body))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if a != nil {
					t.Fatal("activity returned with an error")
				}
				return
			}
			if tt.unsupported != errors.Is(err, errUnsupported) || (err != nil && !tt.unsupported) {
				t.Fatalf("err = %v", err)
			}
			if a == nil {
				t.Fatal("no activity")
			}
			if a.Type != tt.typ || a.Actor != tt.actor || a.ObjectID != tt.objectID || (a.Object != nil) != tt.embedded {
				t.Fatalf("got type %q actor %q object %q embedded %v", a.Type, a.Actor, a.ObjectID, a.Object != nil)
			}
			if a.ID == "" {
				t.Fatal("no id")
			}
		})
	}
}
