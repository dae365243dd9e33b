package portability

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// Limits of what an import reads: an archive is made by us, but may come
// from anywhere.
const (
	maxJSONPart  = 256 << 20 // posts.json of tens of thousands of posts
	maxMediaFile = 64 << 20
	maxEntries   = 200_000
)

// ErrArchive marks an archive that is not one we can read: not ours,
// truncated, altered, or of a newer version.
var ErrArchive = errors.New("not a readable organisation archive")

// ImportOptions adjust an import.
type ImportOptions struct {
	// Handle, when set, is the organisation's handle here instead of the
	// one it had.
	Handle string
}

// ImportResult says what an import did.
type ImportResult struct {
	Org       *newsroom.Organisation
	OldActor  string // the actor id it had, which sends the Move
	OldHandle string
	Posts     int // posts written; those already here are skipped
	Followers int
	Media     int
	Created   bool // false when the organisation was imported before
}

// archive is an archive read whole and checked against its manifest.
type archive struct {
	manifest  Manifest
	org       Org
	posts     []Post
	followers []Follower
	media     []Media
	files     map[string][]byte // media/NAME → bytes
}

// Import reads an archive and recreates its organisation here: the
// organisation (with the old actor in its alsoKnownAs, so that followers'
// servers accept the old server's Move), its posts under their ids at
// this site's URLs, the images in this site's store, and the followers.
// Everything is read and checked before anything is written; the images
// are stored first (names are content hashes: one left by a failed import
// is harmless), then the rest in one transaction. Importing an archive
// again writes only what is missing.
func (s *Service) Import(ctx context.Context, r io.Reader, opt ImportOptions) (*ImportResult, error) {
	a, err := readArchive(r)
	if err != nil {
		return nil, err
	}
	handle := a.org.Handle
	if opt.Handle != "" {
		handle = newsroom.NormaliseHandle(opt.Handle)
	}
	res := &ImportResult{OldActor: a.manifest.Source.ActorID, OldHandle: a.manifest.Source.Handle}
	for _, md := range a.media {
		for _, name := range md.Files {
			if err := s.Blobs.Put(ctx, name, a.files[mediaDir+name], md.MIMEType); err != nil {
				return nil, fmt.Errorf("import image %s: %w", name, err)
			}
		}
	}
	err = s.Store.InTx(ctx, func(tx store.Tx) error {
		org, created, err := s.importOrg(ctx, tx, a, handle)
		if err != nil {
			return err
		}
		res.Org, res.Created = org, created
		for _, md := range a.media {
			if err := tx.PutMedia(ctx, md.Media); err != nil {
				return err
			}
		}
		res.Media = len(a.media)
		if res.Posts, err = s.importPosts(ctx, tx, a, org); err != nil {
			return err
		}
		for _, f := range a.followers {
			err := tx.AddFollower(ctx, newsroom.Follower{OrgID: org.ID, ActorID: f.ActorID, Host: f.Host,
				Inbox: f.Inbox, SharedInbox: f.SharedInbox, CreatedAt: f.Since})
			if err != nil {
				return err
			}
		}
		res.Followers = len(a.followers)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// importOrg creates the organisation, or finds the one an earlier import
// of the same archive created (it lists the old actor as an alias).
func (s *Service) importOrg(ctx context.Context, tx store.Tx, a *archive, handle string) (*newsroom.Organisation, bool, error) {
	old := a.manifest.Source.ActorID
	o, err := tx.OrgByHandle(ctx, handle)
	if err == nil {
		if !slices.Contains(o.AlsoKnownAs, old) {
			return nil, false, fmt.Errorf("%w: an organisation @%s exists here already and is not %s: choose another handle (--handle)",
				newsroom.ErrConflict, handle, old)
		}
		return o, false, nil
	}
	if !errors.Is(err, newsroom.ErrNotFound) {
		return nil, false, err
	}
	in := a.org
	o = &newsroom.Organisation{Handle: handle, Name: in.Name, Bio: in.Bio, Website: in.Website,
		ContactEmail: in.ContactEmail, ActorType: in.ActorType, DefaultLang: in.DefaultLang,
		DefaultObjectType: in.DefaultObjectType, IconMediaID: in.Icon, BannerMediaID: in.Banner,
		BoostsMembers: in.BoostsMembers, AllowsBoosts: in.AllowsBoosts,
		PublicKeyPEM: in.PublicKeyPEM, PrivateKeyPEM: in.PrivateKeyPEM}
	if err := o.Validate(); err != nil {
		return nil, false, fmt.Errorf("%w: org.json: %w", ErrArchive, err)
	}
	if o.PrivateKeyPEM == "" {
		if o.PrivateKeyPEM, o.PublicKeyPEM, err = s.GenerateKey(); err != nil {
			return nil, false, fmt.Errorf("import @%s: key: %w", handle, err)
		}
	}
	if err := tx.CreateOrg(ctx, o); err != nil {
		return nil, false, fmt.Errorf("import @%s: %w", handle, err)
	}
	aliases := []string{old}
	for _, al := range in.AlsoKnownAs {
		if !slices.Contains(aliases, al) && al != s.URLs.Org(handle) {
			aliases = append(aliases, al)
		}
	}
	if err := tx.SetOrgAliases(ctx, o.ID, aliases); err != nil {
		return nil, false, err
	}
	o.AlsoKnownAs = aliases
	return o, true, nil
}

// importPosts writes the posts not here yet. A post keeps its id, so its
// new URL is its old one with this site's base and the handle here; the
// links its HTML holds to the old site's images and tags are made ours.
// A scheduled post comes as a draft: its publication is an editor's
// decision to make again here.
func (s *Service) importPosts(ctx context.Context, tx store.Tx, a *archive, org *newsroom.Organisation) (int, error) {
	oldBase := a.manifest.Source.BaseURL
	n := 0
	for _, ap := range a.posts {
		p := ap.Post
		cur, err := tx.PostByID(ctx, p.ID)
		if err == nil {
			if cur.OrgID != org.ID {
				return 0, fmt.Errorf("%w: post %s exists here already, in another organisation", newsroom.ErrConflict, p.ID)
			}
			continue
		}
		if !errors.Is(err, newsroom.ErrNotFound) {
			return 0, err
		}
		p.OrgID, p.AuthorID = org.ID, 0
		if p.Status == newsroom.StatusScheduled {
			p.Status, p.PublishAt = newsroom.StatusDraft, time.Time{}
		}
		p.BodyHTML = rebase(p.BodyHTML, oldBase, s.URLs.Base())
		if p.Translation != nil {
			tr := *p.Translation
			tr.BodyHTML = rebase(tr.BodyHTML, oldBase, s.URLs.Base())
			p.Translation = &tr
		}
		if err := tx.CreatePost(ctx, &p); err != nil {
			return 0, fmt.Errorf("import post %s: %w", p.ID, err)
		}
		n++
	}
	return n, nil
}

// rebase points the links of html to the old site's images and tag pages
// to this site's.
func rebase(html, oldBase, newBase string) string {
	if oldBase == "" || oldBase == newBase {
		return html
	}
	for _, dir := range []string{"/media/", "/tags/"} {
		html = strings.ReplaceAll(html, oldBase+dir, newBase+dir)
	}
	return html
}

// readArchive reads r whole and checks it against its manifest.
func readArchive(r io.Reader) (*archive, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrArchive, err)
	}
	tr := tar.NewReader(gz)
	parts := map[string][]byte{}
	for i := 0; ; i++ {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrArchive, err)
		}
		if i >= maxEntries {
			return nil, fmt.Errorf("%w: too many files", ErrArchive)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := path.Clean(h.Name)
		limit := int64(maxJSONPart)
		if strings.HasPrefix(name, mediaDir) {
			limit = maxMediaFile
			if base := strings.TrimPrefix(name, mediaDir); base == "" || strings.ContainsAny(base, "/\\") || strings.HasPrefix(base, ".") {
				return nil, fmt.Errorf("%w: file name %q", ErrArchive, h.Name)
			}
		}
		if h.Size > limit {
			return nil, fmt.Errorf("%w: %s is too large", ErrArchive, name)
		}
		b, err := io.ReadAll(io.LimitReader(tr, limit+1))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrArchive, name, err)
		}
		parts[name] = b
	}
	// The gzip trailer's checksum is read at the end of the stream.
	if _, err := io.Copy(io.Discard, gz); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrArchive, err)
	}
	return checkArchive(parts)
}

// checkArchive decodes the parts read, once each matches the manifest.
func checkArchive(parts map[string][]byte) (*archive, error) {
	a := &archive{files: map[string][]byte{}}
	raw, ok := parts[manifestName]
	if !ok {
		return nil, fmt.Errorf("%w: no %s (a truncated archive?)", ErrArchive, manifestName)
	}
	if err := json.Unmarshal(raw, &a.manifest); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrArchive, manifestName, err)
	}
	m := &a.manifest
	if m.Format != Format {
		return nil, fmt.Errorf("%w: format %q", ErrArchive, m.Format)
	}
	if m.Version < 1 || m.Version > Version {
		return nil, fmt.Errorf("%w: version %d, this newsroom reads up to %d", ErrArchive, m.Version, Version)
	}
	if m.Source.ActorID == "" {
		return nil, fmt.Errorf("%w: the manifest names no source actor", ErrArchive)
	}
	listed := map[string]bool{}
	for _, f := range m.Files {
		b, ok := parts[f.Name]
		sum := sha256.Sum256(b)
		if !ok || int64(len(b)) != f.Size || hex.EncodeToString(sum[:]) != f.SHA256 {
			return nil, fmt.Errorf("%w: %s is missing or does not match the manifest", ErrArchive, f.Name)
		}
		listed[f.Name] = true
		if strings.HasPrefix(f.Name, mediaDir) {
			a.files[f.Name] = b
		}
	}
	for _, part := range []struct {
		name string
		v    any
	}{{orgName, &a.org}, {postsName, &a.posts}, {followersName, &a.followers}, {mediaListName, &a.media}} {
		if !listed[part.name] {
			return nil, fmt.Errorf("%w: %s is not in the manifest", ErrArchive, part.name)
		}
		if err := json.Unmarshal(parts[part.name], part.v); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrArchive, part.name, err)
		}
	}
	if len(a.posts) != m.Posts || len(a.followers) != m.Followers || len(a.media) != m.Media {
		return nil, fmt.Errorf("%w: the counts do not match the manifest", ErrArchive)
	}
	for _, p := range a.posts {
		switch p.Status {
		case newsroom.StatusPublished, newsroom.StatusDraft, newsroom.StatusScheduled:
		default:
			return nil, fmt.Errorf("%w: post %q of status %q", ErrArchive, p.ID, p.Status)
		}
		if p.ID == "" || strings.ContainsAny(p.ID, "/?#") {
			return nil, fmt.Errorf("%w: post id %q", ErrArchive, p.ID)
		}
	}
	for _, md := range a.media {
		if _, ok := media.Extension(md.MIMEType); !ok || len(md.Files) == 0 {
			return nil, fmt.Errorf("%w: image %s of type %q", ErrArchive, md.ID, md.MIMEType)
		}
		for _, name := range md.Files {
			if _, ok := a.files[mediaDir+name]; !ok {
				return nil, fmt.Errorf("%w: image file %s is missing", ErrArchive, name)
			}
		}
	}
	return a, nil
}
