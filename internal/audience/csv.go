package audience

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/url"
	"path"

	"github.com/soga/newsroom/internal/newsroom"
)

// FollowersCSVHeader is the first line of Mastodon's follows import
// ("Import and export" → "Following list"), which this file is made to
// feed: an organisation that leaves can have its new account follow the
// same people, or anyone can see who followed it.
var FollowersCSVHeader = []string{"Account address", "Show boosts", "Notify on new posts", "Languages"}

// followersPage is how many followers are read at a time.
const followersPage = 500

// FollowersCSV writes orgID's followers to w in Mastodon's import format,
// one user@host per line, oldest follower first.
func (s *Service) FollowersCSV(ctx context.Context, w io.Writer, orgID int64) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(FollowersCSVHeader); err != nil {
		return err
	}
	err := s.EachFollowerAcct(ctx, orgID, func(acct string) error {
		return cw.Write([]string{acct, "true", "false", ""})
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// EachFollowerAcct calls fn with the user@host of each of orgID's
// followers that has one, oldest follower first, a page at a time.
func (s *Service) EachFollowerAcct(ctx context.Context, orgID int64, fn func(acct string) error) error {
	for offset := 0; ; offset += followersPage {
		page, err := s.Store.ListFollowers(ctx, orgID, offset, followersPage)
		if err != nil {
			return fmt.Errorf("followers of org %d: %w", orgID, err)
		}
		ids := make([]string, len(page))
		for i, f := range page {
			ids[i] = f.ActorID
		}
		actors, err := s.Store.RemoteActorsByIDs(ctx, ids)
		if err != nil {
			return fmt.Errorf("followers of org %d: %w", orgID, err)
		}
		for _, f := range page {
			if acct := Acct(f, actors[f.ActorID]); acct != "" {
				if err := fn(acct); err != nil {
					return err
				}
			}
		}
		if len(page) < followersPage {
			return nil
		}
	}
}

// Acct is a follower's user@host: its preferredUsername when we hold its
// actor, else the last segment of its id (Mastodon's /users/NAME), on the
// host of its id. "" when neither gives a name.
func Acct(f newsroom.Follower, a newsroom.RemoteActor) string {
	u, err := url.Parse(f.ActorID)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	name := a.PreferredUsername
	if name == "" {
		name = path.Base(u.Path)
	}
	if name == "" || name == "/" || name == "." {
		return ""
	}
	return name + "@" + u.Host
}
