package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

func testOrgs(t *testing.T, s store.Store) {
	ctx := t.Context()
	o := &newsroom.Organisation{
		Handle: "gazette", Name: "La Gazette", Bio: "Nouvelles *du* quartier",
		Website: "https://gazette.example", ContactEmail: "press@gazette.example",
		ActorType: newsroom.ActorGroup, DefaultLang: "fr", DefaultObjectType: newsroom.ObjectArticle,
		IconMediaID: "icon", BannerMediaID: "banner",
		PublicKeyPEM: "-----BEGIN PUBLIC KEY-----", PrivateKeyPEM: "-----BEGIN PRIVATE KEY-----",
	}
	ok(t, s.CreateOrg(ctx, o))
	if o.ID == 0 {
		t.Fatal("CreateOrg did not set ID")
	}
	isNow(t, "CreatedAt", o.CreatedAt)
	equal(t, "UpdatedAt", o.UpdatedAt, o.CreatedAt)

	got, err := s.OrgByID(ctx, o.ID)
	ok(t, err)
	equal(t, "OrgByID", got, o)
	got, err = s.OrgByHandle(ctx, "GaZeTTe")
	ok(t, err)
	equal(t, "OrgByHandle (other case)", got, o)

	dup := &newsroom.Organisation{Handle: "GAZETTE", Name: "x", ActorType: newsroom.ActorService,
		DefaultLang: "en", DefaultObjectType: newsroom.ObjectNote}
	wantErr(t, s.CreateOrg(ctx, dup), newsroom.ErrConflict)

	o.Name, o.Bio, o.IconMediaID = "The Gazette", "", ""
	ok(t, s.UpdateOrg(ctx, o))
	got, err = s.OrgByID(ctx, o.ID)
	ok(t, err)
	equal(t, "after UpdateOrg", got, o)

	other := newOrg(t, s, "annexe")
	other.Handle = "Gazette"
	wantErr(t, s.UpdateOrg(ctx, other), newsroom.ErrConflict)
	wantErr(t, s.UpdateOrg(ctx, &newsroom.Organisation{ID: 999999, Handle: "ghost"}), newsroom.ErrNotFound)

	got, err = s.OrgByID(ctx, 999999)
	wantErr(t, err, newsroom.ErrNotFound)
	if got != nil {
		t.Errorf("OrgByID of a missing org returned %+v", got)
	}
	_, err = s.OrgByHandle(ctx, "nobody")
	wantErr(t, err, newsroom.ErrNotFound)

	orgs, err := s.ListOrgs(ctx)
	ok(t, err)
	equal(t, "ListOrgs handles", []string{orgs[0].Handle, orgs[1].Handle}, []string{"annexe", "gazette"})
}

func testUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	n, err := s.CountUsers(ctx)
	ok(t, err)
	equal(t, "CountUsers of none", n, 0)

	u := &newsroom.User{Email: "ada@example.org", Name: "Ada", PasswordHash: "$argon2id$v=19$abc", IsAdmin: true, Lang: "en"}
	ok(t, s.CreateUser(ctx, u))
	if u.ID == 0 {
		t.Fatal("CreateUser did not set ID")
	}
	isNow(t, "CreatedAt", u.CreatedAt)
	got, err := s.UserByID(ctx, u.ID)
	ok(t, err)
	equal(t, "UserByID", got, u)
	got, err = s.UserByEmail(ctx, "ADA@example.org")
	ok(t, err)
	equal(t, "UserByEmail (other case)", got, u)
	wantErr(t, s.CreateUser(ctx, &newsroom.User{Email: "Ada@Example.org"}), newsroom.ErrConflict)

	u.Name, u.IsAdmin, u.Lang, u.TimeZone = "Ada L.", false, "", "Europe/Paris"
	ok(t, s.UpdateUser(ctx, u))
	got, err = s.UserByID(ctx, u.ID)
	ok(t, err)
	equal(t, "after UpdateUser", got, u)
	wantErr(t, s.UpdateUser(ctx, &newsroom.User{ID: 999999, Email: "x@y.z"}), newsroom.ErrNotFound)
	_, err = s.UserByID(ctx, 999999)
	wantErr(t, err, newsroom.ErrNotFound)
	_, err = s.UserByEmail(ctx, "nobody@example.org")
	wantErr(t, err, newsroom.ErrNotFound)

	b := newUser(t, s, "bob@example.org")
	users, err := s.ListUsers(ctx)
	ok(t, err)
	equal(t, "ListUsers", []int64{users[0].ID, users[1].ID}, []int64{u.ID, b.ID})
	n, err = s.CountUsers(ctx)
	ok(t, err)
	equal(t, "CountUsers", n, 2)

	o1, o2, o3 := newOrg(t, s, "one"), newOrg(t, s, "two"), newOrg(t, s, "three")
	ok(t, s.SetUserOrgs(ctx, u.ID, []int64{o3.ID, o1.ID}))
	orgIDs, err := s.UserOrgIDs(ctx, u.ID)
	ok(t, err)
	equal(t, "UserOrgIDs", orgIDs, []int64{o1.ID, o3.ID})
	ok(t, s.SetUserOrgs(ctx, u.ID, []int64{o2.ID}))
	orgIDs, err = s.UserOrgIDs(ctx, u.ID)
	ok(t, err)
	equal(t, "UserOrgIDs after replacing", orgIDs, []int64{o2.ID})
	ok(t, s.SetUserOrgs(ctx, u.ID, nil))
	orgIDs, err = s.UserOrgIDs(ctx, u.ID)
	ok(t, err)
	equal(t, "UserOrgIDs after clearing", len(orgIDs), 0)
}

func testSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := newUser(t, s, "ada@example.org")
	sess := newsroom.Session{TokenHash: "hash1", UserID: u.ID, CSRFToken: "csrf",
		CreatedAt: t0.In(cet), ExpiresAt: t0.Add(time.Hour)}
	ok(t, s.CreateSession(ctx, sess))
	wantErr(t, s.CreateSession(ctx, sess), newsroom.ErrConflict)

	got, err := s.SessionByTokenHash(ctx, "hash1", t0.Add(time.Hour-time.Microsecond))
	ok(t, err)
	want := sess
	want.CreatedAt = t0
	equal(t, "SessionByTokenHash", got.Session, want)
	wantUser, err := s.UserByID(ctx, u.ID)
	ok(t, err)
	equal(t, "SessionByTokenHash's user", got.User, *wantUser)
	equal(t, "SessionByTokenHash's organisations", len(got.OrgIDs), 0)
	o1, o2 := newOrg(t, s, "beta"), newOrg(t, s, "alpha")
	ok(t, s.SetUserOrgs(ctx, u.ID, []int64{o2.ID, o1.ID}))
	got, err = s.SessionByTokenHash(ctx, "hash1", t0)
	ok(t, err)
	equal(t, "SessionByTokenHash's organisations, in order", got.OrgIDs, []int64{o1.ID, o2.ID})
	got, err = s.SessionByTokenHash(ctx, "hash1", t0.Add(time.Hour))
	wantErr(t, err, newsroom.ErrNotFound)
	if got != nil {
		t.Errorf("expired session returned: %+v", got)
	}
	_, err = s.SessionByTokenHash(ctx, "nope", t0)
	wantErr(t, err, newsroom.ErrNotFound)

	ok(t, s.CreateSession(ctx, newsroom.Session{TokenHash: "hash2", UserID: u.ID, ExpiresAt: t0.Add(2 * time.Hour)}))
	ok(t, s.CreateSession(ctx, newsroom.Session{TokenHash: "hash3", UserID: u.ID, ExpiresAt: t0.Add(3 * time.Hour)}))
	n, err := s.DeleteExpiredSessions(ctx, t0.Add(2*time.Hour))
	ok(t, err)
	equal(t, "DeleteExpiredSessions", n, int64(2))
	_, err = s.SessionByTokenHash(ctx, "hash3", t0)
	ok(t, err)

	ok(t, s.DeleteSession(ctx, "hash3"))
	_, err = s.SessionByTokenHash(ctx, "hash3", t0)
	wantErr(t, err, newsroom.ErrNotFound)
	ok(t, s.DeleteSession(ctx, "hash3"))

	ok(t, s.CreateSession(ctx, newsroom.Session{TokenHash: "hash4", UserID: u.ID, ExpiresAt: t0.Add(time.Hour)}))
	ok(t, s.DeleteUserSessions(ctx, u.ID))
	_, err = s.SessionByTokenHash(ctx, "hash4", t0)
	wantErr(t, err, newsroom.ErrNotFound)
}

func testSetupTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	ok(t, s.CreateSetupToken(ctx, newsroom.SetupToken{TokenHash: "setup", ExpiresAt: t0.Add(time.Hour)}))
	ok(t, s.CreateSetupToken(ctx, newsroom.SetupToken{TokenHash: "old", ExpiresAt: t0}))

	// Checking a token leaves it usable; expired, unknown or used, it fails.
	ok(t, s.CheckSetupToken(ctx, "setup", t0))
	ok(t, s.CheckSetupToken(ctx, "setup", t0))
	wantErr(t, s.CheckSetupToken(ctx, "old", t0), newsroom.ErrNotFound)
	wantErr(t, s.CheckSetupToken(ctx, "unknown", t0), newsroom.ErrNotFound)
	wantErr(t, s.CheckSetupToken(ctx, "setup", t0.Add(time.Hour)), newsroom.ErrNotFound)

	wantErr(t, s.ConsumeSetupToken(ctx, "old", t0), newsroom.ErrNotFound)
	wantErr(t, s.ConsumeSetupToken(ctx, "unknown", t0), newsroom.ErrNotFound)
	ok(t, s.ConsumeSetupToken(ctx, "setup", t0))
	wantErr(t, s.ConsumeSetupToken(ctx, "setup", t0), newsroom.ErrNotFound)
	wantErr(t, s.CheckSetupToken(ctx, "setup", t0), newsroom.ErrNotFound)
}

func testSettings(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, err := s.Setting(ctx, "instance_key")
	wantErr(t, err, newsroom.ErrNotFound)

	v, err := s.SettingOrInit(ctx, "instance_key", "first")
	ok(t, err)
	equal(t, "SettingOrInit on an empty key", v, "first")
	v, err = s.SettingOrInit(ctx, "instance_key", "second")
	ok(t, err)
	equal(t, "SettingOrInit on a set key", v, "first")

	ok(t, s.PutSetting(ctx, "instance_key", "third"))
	v, err = s.Setting(ctx, "instance_key")
	ok(t, err)
	equal(t, "Setting after PutSetting", v, "third")

	// Several instances starting together agree on one value.
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Go(func() {
			v, err := s.SettingOrInit(ctx, "race", fmt.Sprint(i))
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		})
	}
	wg.Wait()
	for _, v := range got {
		equal(t, "racing SettingOrInit", v, got[0])
	}
}

func testMedia(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := newsroom.Media{ID: "ab12", MIMEType: "image/webp", Width: 640, Height: 480,
		Size: 12345, Blurhash: "LEHV6nWB2yk8", CreatedAt: t0}
	ok(t, s.PutMedia(ctx, m))
	ok(t, s.PutMedia(ctx, m))
	got, err := s.MediaByID(ctx, "ab12")
	ok(t, err)
	equal(t, "MediaByID", *got, m)
	_, err = s.MediaByID(ctx, "missing")
	wantErr(t, err, newsroom.ErrNotFound)

	// Rows recorded before blurhashes were computed are found, oldest
	// first, and leave the list once they have one.
	older := newsroom.Media{ID: "cd34", MIMEType: "image/png", Width: 10, Height: 20, Size: 99, CreatedAt: t0.Add(-time.Hour)}
	newer := newsroom.Media{ID: "ef56", MIMEType: "image/jpeg", Width: 30, Height: 40, Size: 77, CreatedAt: t0.Add(time.Hour)}
	ok(t, s.PutMedia(ctx, newer))
	ok(t, s.PutMedia(ctx, older))
	missing, err := s.MediaWithoutBlurhash(ctx, 10)
	ok(t, err)
	equal(t, "MediaWithoutBlurhash", missing, []newsroom.Media{older, newer})
	first, err := s.MediaWithoutBlurhash(ctx, 1)
	ok(t, err)
	equal(t, "MediaWithoutBlurhash limit 1", first, []newsroom.Media{older})
	ok(t, s.SetMediaBlurhash(ctx, "cd34", "L00000fQfQfQfQfQfQfQfQfQfQfQ"))
	missing, err = s.MediaWithoutBlurhash(ctx, 10)
	ok(t, err)
	equal(t, "MediaWithoutBlurhash after one is set", missing, []newsroom.Media{newer})
	wantErr(t, s.SetMediaBlurhash(ctx, "missing", "L00000fQfQfQfQfQfQfQfQfQfQfQ"), newsroom.ErrNotFound)

	// The focal point keeps its fractions on both databases.
	ok(t, s.SetMediaFocus(ctx, "ab12", -0.25, 0.875))
	got, err = s.MediaByID(ctx, "ab12")
	ok(t, err)
	m.FocusX, m.FocusY = -0.25, 0.875
	equal(t, "MediaByID after SetMediaFocus", *got, m)
	wantErr(t, s.SetMediaFocus(ctx, "missing", 0, 0), newsroom.ErrNotFound)
}
