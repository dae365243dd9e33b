package users

import (
	"testing"

	"github.com/alexedwards/argon2id"
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
