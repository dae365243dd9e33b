// Package media stores the images editors upload. An upload is trusted for
// nothing: its type is read from its bytes, its size and pixel count are
// bounded, it is decoded and encoded again (which drops EXIF, GPS and any
// other metadata, and anything hidden after the image data), scaled down
// to sensible dimensions, and written under the SHA-256 of what we wrote.
// The name the browser sent is never used.
package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/gif" // decoder registration
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"time"

	_ "golang.org/x/image/webp" // decoder registration
	"golang.org/x/sync/semaphore"

	"github.com/soga/newsroom/internal/newsroom"
)

// Limits of an upload. 8 MB holds any phone photo; 40 megapixels, 16,384
// pixels a side and the memory estimate in budget.go bound what a small
// image claiming huge dimensions (a "decompression bomb") can make us
// allocate.
const (
	MaxUploadBytes = 8 << 20
	maxPixels      = 40_000_000
	// MaxDimension is the longest side kept: wider than any column a post
	// is read in, and what Mastodon keeps too.
	MaxDimension = 1600
	// SmallDimension is the longest side of the small variant, for lists
	// and the editor's thumbnails.
	SmallDimension = 400
	jpegQuality    = 85
)

// Errors an editor can act on; the form shows them next to the field.
var (
	ErrTooLarge = errors.New("image too large")
	ErrNotImage = errors.New("not a JPEG, PNG, GIF or WebP image")
)

// Recorder stores the row describing an image (store.MediaStore).
type Recorder interface {
	PutMedia(ctx context.Context, m newsroom.Media) error
}

// Store cleans images, writes them into its Blobs and records them.
type Store struct {
	blobs  Blobs
	rec    Recorder
	now    func() time.Time
	budget *semaphore.Weighted
}

// New returns a Store writing into blobs.
func New(blobs Blobs, rec Recorder, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{blobs: blobs, rec: rec, now: now, budget: semaphore.NewWeighted(uploadBudget)}
}

// accepted are the types we decode, as http.DetectContentType names them.
var accepted = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// Save reads an upload from r, cleans and stores it, and returns its row.
// It returns ErrTooLarge or ErrNotImage for uploads we refuse.
//
// The upload's bytes are memory too: they are read only within the
// shared budget, first to learn what decoding will cost, then again,
// within that cost, to decode. Uploads waiting for the budget hold
// nothing in memory, however many they are; r is the form's part, kept
// on disk.
func (s *Store) Save(ctx context.Context, r io.ReadSeeker) (*newsroom.Media, error) {
	size, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, fmt.Errorf("read upload: %w", err)
	}
	if size > MaxUploadBytes {
		return nil, ErrTooLarge
	}
	need, err := s.cost(ctx, r, size)
	if err != nil {
		return nil, err
	}
	if err := s.budget.Acquire(ctx, need); err != nil {
		return nil, fmt.Errorf("wait for memory to decode an upload: %w", err)
	}
	defer s.budget.Release(need)
	raw, err := readAll(r, size)
	if err != nil {
		return nil, err
	}
	v, err := variants(raw)
	if err != nil {
		return nil, err
	}
	full, small, mime := v.full, v.small, v.mime
	sum := sha256.Sum256(full)
	m := newsroom.Media{ID: hex.EncodeToString(sum[:]), MIMEType: mime, Size: int64(len(full)),
		Blurhash: v.blurhash, CreatedAt: s.now().UTC()}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(full))
	if err != nil {
		return nil, fmt.Errorf("read back encoded image: %w", err)
	}
	m.Width, m.Height = cfg.Width, cfg.Height
	// Both variants are stored before the row: a post only ever names
	// media whose bytes every instance can serve.
	if err := s.blobs.Put(ctx, FileName(m), full, mime); err != nil {
		return nil, err
	}
	if err := s.blobs.Put(ctx, SmallName(m), small, mime); err != nil {
		return nil, err
	}
	if err := s.rec.PutMedia(ctx, m); err != nil {
		return nil, fmt.Errorf("record media %s: %w", m.ID, err)
	}
	return &m, nil
}

// cost reads the upload, within the budget, and returns what decoding it
// will cost, its bytes included.
func (s *Store) cost(ctx context.Context, r io.ReadSeeker, size int64) (int64, error) {
	if err := s.budget.Acquire(ctx, size); err != nil {
		return 0, fmt.Errorf("wait for memory to read an upload: %w", err)
	}
	defer s.budget.Release(size)
	raw, err := readAll(r, size)
	if err != nil {
		return 0, err
	}
	return check(raw)
}

// readAll reads the size bytes of r from its start.
func readAll(r io.ReadSeeker, size int64) ([]byte, error) {
	raw := make([]byte, size)
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read upload: %w", err)
	}
	if _, err := io.ReadFull(r, raw); err != nil {
		return nil, fmt.Errorf("read upload: %w", err)
	}
	return raw, nil
}

// cleaned is an upload decoded and encoded again.
type cleaned struct {
	full, small []byte // the two variants, encoded
	mime        string // of both
	blurhash    string
}

// variants decodes raw and encodes its full-size and small variants, and
// the blurhash of the small one. The caller holds the budget check(raw)
// asked for.
func variants(raw []byte) (cleaned, error) {
	src, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		return cleaned{}, ErrNotImage
	}
	// Turning after scaling costs a fraction of turning the full photo;
	// the longest side is the same either way.
	scaled := orient(fit(src, MaxDimension), jpegOrientation(raw))
	var c cleaned
	if c.full, c.mime, err = encode(scaled); err != nil {
		return cleaned{}, err
	}
	small := fit(scaled, SmallDimension)
	if c.small, _, err = encode(small); err != nil {
		return cleaned{}, err
	}
	if c.blurhash, err = Blurhash(small); err != nil {
		return cleaned{}, err
	}
	return c, nil
}

// check reads the type from the bytes and the dimensions from the header,
// before decoding anything, and returns what decoding will cost.
func check(raw []byte) (int64, error) {
	if !accepted[http.DetectContentType(raw)] {
		return 0, ErrNotImage
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return 0, ErrNotImage
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxSide || cfg.Height > maxSide ||
		int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return 0, ErrTooLarge
	}
	need := cost(raw, format, cfg)
	if need > maxImageBytes {
		return 0, ErrTooLarge
	}
	return need, nil
}

// encode writes img as JPEG when it is opaque (photos stay small) and as
// PNG when it has transparency (logos stay clean).
func encode(img image.Image) ([]byte, string, error) {
	var buf bytes.Buffer
	if opaque(img) {
		// Drawing onto RGBA first gives the encoder one fast path for every
		// source type.
		rgba := image.NewRGBA(img.Bounds())
		draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
		if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: jpegQuality}); err != nil {
			return nil, "", fmt.Errorf("encode jpeg: %w", err)
		}
		return buf.Bytes(), "image/jpeg", nil
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, "", fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), "image/png", nil
}

func opaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}
