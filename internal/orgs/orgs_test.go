package orgs

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/federation/convert"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
	"github.com/soga/newsroom/internal/urls"
)

// An edit of the profile stores the Update of the actor as it now is; an
// edit refused by validation stores nothing.
func TestUpdateSendsActor(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seq := 0
		svc := &Service{Store: s, Convert: convert.New(urls.New(&url.URL{Scheme: "https", Host: "news.example.org"})),
			GenerateKey: func() (string, string, error) { return "priv", "pub", nil },
			NewID:       func() string { seq++; return fmt.Sprintf("01JDORG%019d", seq) },
			Now:         func() time.Time { return time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC) }}
		org := &newsroom.Organisation{Handle: "soga", Name: "SOGA"}
		if err := svc.Create(ctx, org); err != nil {
			t.Fatal(err)
		}
		edit := *org
		edit.Name, edit.Handle, edit.PublicKeyPEM = "Social Good Accelerator", "other", ""
		if err := svc.Update(ctx, &edit); err != nil {
			t.Fatal(err)
		}
		acts, err := s.ListActivities(ctx, org.ID, "Update", 0, 10)
		if err != nil || len(acts) != 1 {
			t.Fatalf("activities %+v, %v; want one Update", acts, err)
		}
		var doc struct {
			ID, Type, Actor string
			Object          struct{ ID, Type, Name, PreferredUsername string }
		}
		if err := json.Unmarshal(acts[0].JSON, &doc); err != nil {
			t.Fatal(err)
		}
		actor := "https://news.example.org/orgs/soga"
		if acts[0].ID != "01JDORG0000000000000000001" || doc.Type != "Update" || doc.Actor != actor ||
			doc.Object.ID != actor || doc.Object.Type != "Organization" ||
			doc.Object.Name != "Social Good Accelerator" || doc.Object.PreferredUsername != "soga" {
			t.Errorf("update = %s", acts[0].JSON)
		}

		edit.Name = strings.Repeat("a", MaxName+1)
		if err := svc.Update(ctx, &edit); err == nil {
			t.Fatal("a name too long was taken")
		}
		if n, err := s.CountActivities(ctx, org.ID, "Update"); err != nil || n != 1 {
			t.Errorf("%d updates after a refused edit, want 1 (%v)", n, err)
		}
	})
}
