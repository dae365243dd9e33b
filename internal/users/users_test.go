package users

import (
	"errors"
	"testing"

	"github.com/alexedwards/argon2id"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
)

// The timing equaliser must cost what a real password check costs, so it
// must be a valid hash with today's parameters.
func TestDummyHashMatchesParams(t *testing.T) {
	params, _, _, err := argon2id.DecodeHash(dummyHash)
	if err != nil {
		t.Fatal(err)
	}
	if *params != *hashParams {
		t.Fatalf("dummy hash params %+v, want %+v", *params, *hashParams)
	}
	if ok, err := argon2id.ComparePasswordAndHash("anything", dummyHash); err != nil || ok {
		t.Fatalf("compare: %v %v", ok, err)
	}
}

func TestProfileValidation(t *testing.T) {
	s := New(testdb.SQLite(t))
	ctx := t.Context()
	_, err := s.Create(ctx, NewUser{Email: "a@example.org", Password: "correct horse battery", Lang: "de", OrgIDs: []int64{999}})
	var v *newsroom.ValidationError
	if !errors.As(err, &v) || v.Fields["lang"] != "invalid" || v.Fields["orgs"] != "invalid" {
		t.Fatalf("create: %v", err)
	}
	u, err := s.Create(ctx, NewUser{Email: "a@example.org", Password: "correct horse battery", Lang: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, u.ID, Profile{Name: "A", Lang: "xx", OrgIDs: []int64{999}}); !errors.As(err, &v) ||
		v.Fields["lang"] != "invalid" || v.Fields["orgs"] != "invalid" {
		t.Fatalf("update: %v", err)
	}
	if err := s.Update(ctx, u.ID, Profile{Name: " A ", Lang: "en", IsAdmin: true}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Store.UserByID(ctx, u.ID)
	if err != nil || got.Name != "A" || got.Lang != "en" || !got.IsAdmin {
		t.Fatalf("updated: %+v, %v", got, err)
	}
}
