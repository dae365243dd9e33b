package view

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/soga/newsroom/internal/newsroom"
)

func TestPersonOf(t *testing.T) {
	const id = "https://social.example/users/ada"
	cached := func(name string) *newsroom.RemoteActor {
		return &newsroom.RemoteActor{ID: id, Host: "social.example", PreferredUsername: "ada", Name: name,
			URL: "https://social.example/@ada"}
	}
	tests := []struct {
		name string
		a    *newsroom.RemoteActor
		want Person
	}{
		{"cached", cached("Ada Lovelace"), Person{Name: "Ada Lovelace", Handle: "@ada@social.example", URL: "https://social.example/@ada", Initial: "A"}},
		{"custom emoji dropped", cached(":blobcat: Ada :verified:"), Person{Name: "Ada", Handle: "@ada@social.example", URL: "https://social.example/@ada", Initial: "A"}},
		{"bidi override dropped", cached("\u202eadA\u202c  \u2066x\u2069"), Person{Name: "adA x", Handle: "@ada@social.example", URL: "https://social.example/@ada", Initial: "A"}},
		{"right-to-left name kept", cached("مريم"), Person{Name: "مريم", Handle: "@ada@social.example", URL: "https://social.example/@ada", Initial: "م"}},
		{"no name: the username", cached(""), Person{Name: "ada", Handle: "@ada@social.example", URL: "https://social.example/@ada", Initial: "A"}},
		{"only emoji: the username", cached(":blobcat:"), Person{Name: "ada", Handle: "@ada@social.example", URL: "https://social.example/@ada", Initial: "A"}},
		{"never fetched", nil, Person{Name: "ada", Handle: "social.example/users/ada", URL: id, Initial: "A"}},
		{"no profile page: the id", &newsroom.RemoteActor{ID: id, Host: "social.example", PreferredUsername: "ada", Name: "Ada"},
			Person{Name: "Ada", Handle: "@ada@social.example", URL: id, Initial: "A"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PersonOf(id, tt.a); got != tt.want {
				t.Errorf("PersonOf = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestPersonNameCapped(t *testing.T) {
	p := PersonOf("https://x.example/u/1", &newsroom.RemoteActor{Host: "x.example", PreferredUsername: "u", Name: strings.Repeat("é", 500)})
	if n := utf8.RuneCountInString(p.Name); n != MaxPersonName+1 || !strings.HasSuffix(p.Name, "…") {
		t.Errorf("name of %d characters %q, want %d and an ellipsis", n, p.Name, MaxPersonName+1)
	}
}
