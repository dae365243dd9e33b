package editor_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/users"
)

// A setup link shows its form while it works, and the page saying it no
// longer works once used, expired or unknown, on GET as on POST.
func TestDeadSetupLinkShowsNoForm(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for token, expires := range map[string]time.Time{"live": time.Now().Add(time.Hour), "expired": time.Now().Add(-time.Minute)} {
		if err := e.store.CreateSetupToken(ctx, newsroom.SetupToken{TokenHash: users.HashToken(token), ExpiresAt: expires}); err != nil {
			t.Fatal(err)
		}
	}
	c := e.anonymous()
	if status, body := c.get("/setup/live"); status != http.StatusOK || !strings.Contains(body, `name="password"`) {
		t.Fatalf("live link: %d", status)
	}
	for _, token := range []string{"expired", "unknown"} {
		status, body := c.get("/setup/" + token)
		if status != http.StatusNotFound || !strings.Contains(body, "no longer works") || strings.Contains(body, `name="password"`) {
			t.Errorf("%s link: %d %s", token, status, body)
		}
	}
	// Checking did not spend the link; using it does.
	if err := e.store.ConsumeSetupToken(ctx, users.HashToken("live"), time.Now()); err != nil {
		t.Fatal(err)
	}
	if status, body := c.get("/setup/live"); status != http.StatusNotFound || strings.Contains(body, `name="password"`) {
		t.Errorf("used link: %d", status)
	}
}
