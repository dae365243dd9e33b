package domains

import (
	"errors"
	"strings"
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

func TestNormalise(t *testing.T) {
	for in, want := range map[string]string{
		"Spam.Example.":                     "spam.example",
		"https://social.spam.example:8443/": "social.spam.example",
		"@someone@spam.example":             "spam.example",
		"exämple.org":                       "xn--exmple-cua.org",
		"localhost":                         "",
		"not a domain":                      "",
	} {
		got, ok := normalise(in)
		if got != want || ok != (want != "") {
			t.Errorf("normalise(%q) = %q, %v, want %q", in, got, ok, want)
		}
	}
}

func TestBlockInputRefusesWhatIsNotADomain(t *testing.T) {
	b := New(testdb.SQLite(t), nil)
	var v *newsroom.ValidationError
	err := b.BlockInput(t.Context(), newsroom.DomainBlock{Domain: "not a domain"})
	if !errors.As(err, &v) || v.Fields["domain"] != "domain_invalid" {
		t.Errorf("bad domain: %v", err)
	}
	err = b.BlockInput(t.Context(), newsroom.DomainBlock{Domain: "spam.example", Reason: strings.Repeat("x", MaxReason+1)})
	if !errors.As(err, &v) || v.Fields["reason"] != "too_long" {
		t.Errorf("long reason: %v", err)
	}
	if list, err := b.List(t.Context()); err != nil || len(list) != 0 {
		t.Errorf("blocks after refusals: %v, %v", list, err)
	}
}
