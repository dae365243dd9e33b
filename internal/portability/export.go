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
	"time"

	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/urls"
)

// Service exports and imports organisations.
type Service struct {
	Store store.Store
	Blobs media.Blobs
	URLs  urls.Builder
	// GenerateKey makes the key pair of an imported organisation whose
	// archive carries none.
	GenerateKey func() (privPEM, pubPEM string, err error)
	Now         func() time.Time
}

// ExportOptions choose what goes into an archive.
type ExportOptions struct {
	// WithKey adds the actor's key pair. Only worth it when the same
	// domain moves to a new machine: remote servers know a key by its id,
	// which is a URL on the old domain, so under a new domain the old key
	// proves nothing, and an archive holding it must be kept as secret as
	// the database.
	WithKey bool
}

// pageSize is how many rows are read at a time.
const pageSize = 500

// Export writes organisation handle to w as an archive.
func (s *Service) Export(ctx context.Context, w io.Writer, handle string, opt ExportOptions) (*Manifest, error) {
	org, err := s.Store.OrgByHandle(ctx, handle)
	if err != nil {
		return nil, fmt.Errorf("export @%s: %w", handle, err)
	}
	ps, err := s.posts(ctx, org)
	if err != nil {
		return nil, err
	}
	fs, err := s.followers(ctx, org)
	if err != nil {
		return nil, err
	}
	ms, err := s.mediaOf(ctx, org, ps)
	if err != nil {
		return nil, err
	}

	m := &Manifest{Format: Format, Version: Version, CreatedAt: s.now(), Posts: len(ps), Followers: len(fs),
		Media: len(ms), WithKey: opt.WithKey}
	m.Source.BaseURL, m.Source.Handle, m.Source.ActorID = s.URLs.Base(), org.Handle, s.URLs.Org(org.Handle)
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	aw := &archiveWriter{tw: tw, at: m.CreatedAt, m: m}
	for _, part := range []struct {
		name string
		v    any
	}{{orgName, orgOf(org, opt.WithKey)}, {postsName, ps}, {followersName, fs}, {mediaListName, ms}} {
		if err := aw.json(part.name, part.v); err != nil {
			return nil, err
		}
	}
	for _, md := range ms {
		for _, name := range md.Files {
			if err := s.copyBlob(ctx, aw, name); err != nil {
				return nil, err
			}
		}
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := aw.file(manifestName, manifest, false); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if err := gz.Close(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return m, nil
}

func orgOf(o *newsroom.Organisation, withKey bool) Org {
	out := Org{Handle: o.Handle, Name: o.Name, Bio: o.Bio, Website: o.Website, ContactEmail: o.ContactEmail,
		ActorType: o.ActorType, DefaultLang: o.DefaultLang, DefaultObjectType: o.DefaultObjectType,
		Icon: o.IconMediaID, Banner: o.BannerMediaID, BoostsMembers: o.BoostsMembers, AllowsBoosts: o.AllowsBoosts,
		AlsoKnownAs: o.AlsoKnownAs, CreatedAt: o.CreatedAt}
	if withKey {
		out.PublicKeyPEM, out.PrivateKeyPEM = o.PublicKeyPEM, o.PrivateKeyPEM
	}
	return out
}

// posts are the organisation's posts other than deleted ones, oldest
// first, so that an import writes them in the order they were made.
func (s *Service) posts(ctx context.Context, org *newsroom.Organisation) ([]Post, error) {
	out := []Post{}
	for _, status := range []newsroom.PostStatus{newsroom.StatusPublished, newsroom.StatusDraft, newsroom.StatusScheduled} {
		f := store.PostFilter{OrgID: org.ID, Status: status, Limit: pageSize}
		for {
			page, err := s.Store.ListPosts(ctx, f)
			if err != nil {
				return nil, fmt.Errorf("export posts of @%s: %w", org.Handle, err)
			}
			for _, p := range page {
				// ListPosts may leave out what only PostByID reads.
				full, err := s.Store.PostByID(ctx, p.ID)
				if err != nil {
					return nil, fmt.Errorf("export post %s: %w", p.ID, err)
				}
				out = append(out, Post{Post: *full, URL: s.URLs.Post(org.Handle, p.ID)})
			}
			if len(page) < pageSize {
				break
			}
			last := page[len(page)-1]
			f.Before = &store.PostCursor{At: last.PublishedAt, ID: last.ID}
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

func (s *Service) followers(ctx context.Context, org *newsroom.Organisation) ([]Follower, error) {
	out := []Follower{}
	for offset := 0; ; offset += pageSize {
		page, err := s.Store.ListFollowers(ctx, org.ID, offset, pageSize)
		if err != nil {
			return nil, fmt.Errorf("export followers of @%s: %w", org.Handle, err)
		}
		for _, f := range page {
			out = append(out, Follower{ActorID: f.ActorID, Host: f.Host, Inbox: f.Inbox, SharedInbox: f.SharedInbox, Since: f.CreatedAt})
		}
		if len(page) < pageSize {
			return out, nil
		}
	}
}

// mediaOf lists the images of the organisation (icon, banner) and of its
// posts, each once, with the files the store holds of it.
func (s *Service) mediaOf(ctx context.Context, org *newsroom.Organisation, ps []Post) ([]Media, error) {
	ids := []string{org.IconMediaID, org.BannerMediaID}
	for _, p := range ps {
		for _, pm := range p.Media {
			ids = append(ids, pm.MediaID)
		}
	}
	seen := map[string]bool{"": true}
	out := []Media{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		row, err := s.Store.MediaByID(ctx, id)
		if errors.Is(err, newsroom.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("export image %s: %w", id, err)
		}
		md := Media{Media: *row}
		for _, name := range []string{media.FileName(*row), media.SmallName(*row)} {
			_, err := s.Blobs.Stat(ctx, name)
			if errors.Is(err, media.ErrNotFound) {
				continue // an image too small for a small variant
			}
			if err != nil {
				return nil, fmt.Errorf("export image %s: %w", name, err)
			}
			md.Files = append(md.Files, name)
		}
		if len(md.Files) == 0 {
			return nil, fmt.Errorf("export image %s: no file in %s", id, s.Blobs)
		}
		out = append(out, md)
	}
	return out, nil
}

func (s *Service) copyBlob(ctx context.Context, aw *archiveWriter, name string) error {
	obj, err := s.Blobs.Open(ctx, name)
	if err != nil {
		return fmt.Errorf("export image %s: %w", name, err)
	}
	defer obj.Close()
	b, err := io.ReadAll(obj)
	if err != nil {
		return fmt.Errorf("export image %s: %w", name, err)
	}
	return aw.file(mediaDir+name, b, true)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// archiveWriter writes the parts of an archive, recording each in the
// manifest.
type archiveWriter struct {
	tw *tar.Writer
	at time.Time
	m  *Manifest
}

func (a *archiveWriter) json(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	return a.file(name, b, true)
}

func (a *archiveWriter) file(name string, b []byte, listed bool) error {
	if err := a.tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), ModTime: a.at, Typeflag: tar.TypeReg}); err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	if _, err := a.tw.Write(b); err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	if listed {
		sum := sha256.Sum256(b)
		a.m.Files = append(a.m.Files, File{Name: name, Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:])})
	}
	return nil
}
