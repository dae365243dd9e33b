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
	"os"
	"path/filepath"
	"time"

	xdraw "golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // decoder registration

	"github.com/soga/newsroom/internal/newsroom"
)

// Limits of an upload. 8 MB holds any phone photo; 40 megapixels bounds
// the memory a small image claiming huge dimensions (a "decompression
// bomb") can make us allocate.
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

// Store writes images into one directory and records them.
type Store struct {
	dir string
	rec Recorder
	now func() time.Time
}

// New returns a Store writing into dir (created when missing).
func New(dir string, rec Recorder, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{dir: dir, rec: rec, now: now}
}

// accepted are the types we decode, as http.DetectContentType names them.
var accepted = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// Save reads an upload from r, cleans and stores it, and returns its row.
// It returns ErrTooLarge or ErrNotImage for uploads we refuse.
func (s *Store) Save(ctx context.Context, r io.Reader) (*newsroom.Media, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxUploadBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read upload: %w", err)
	}
	if len(raw) > MaxUploadBytes {
		return nil, ErrTooLarge
	}
	src, err := decode(raw)
	if err != nil {
		return nil, err
	}
	// Turning after scaling costs a fraction of turning the full photo;
	// the longest side is the same either way.
	o := jpegOrientation(raw)
	full, mime, err := encode(orient(fit(src, MaxDimension), o))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(full)
	m := newsroom.Media{ID: hex.EncodeToString(sum[:]), MIMEType: mime, Size: int64(len(full)), CreatedAt: s.now().UTC()}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(full))
	if err != nil {
		return nil, fmt.Errorf("read back encoded image: %w", err)
	}
	m.Width, m.Height = cfg.Width, cfg.Height
	small, _, err := encode(orient(fit(src, SmallDimension), o))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(s.dir, 0o750); err != nil {
		return nil, fmt.Errorf("media directory: %w", err)
	}
	if err := writeOnce(filepath.Join(s.dir, FileName(m)), full); err != nil {
		return nil, err
	}
	if err := writeOnce(filepath.Join(s.dir, SmallName(m)), small); err != nil {
		return nil, err
	}
	if err := s.rec.PutMedia(ctx, m); err != nil {
		return nil, fmt.Errorf("record media %s: %w", m.ID, err)
	}
	return &m, nil
}

// decode checks the type from the bytes and the dimensions from the header
// before decoding anything.
func decode(raw []byte) (image.Image, error) {
	if !accepted[http.DetectContentType(raw)] {
		return nil, ErrNotImage
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return nil, ErrNotImage
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return nil, ErrTooLarge
	}
	img, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, ErrNotImage
	}
	return img, nil
}

// fit scales img down so that its longest side is at most max.
func fit(img image.Image, max int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= max && h <= max {
		return img
	}
	if w >= h {
		w, h = max, maxInt(1, h*max/w)
	} else {
		w, h = maxInt(1, w*max/h), max
	}
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), img, b, xdraw.Src, nil)
	return dst
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
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

// writeOnce writes b to path through a temporary file and a rename, so a
// reader never sees half an image. The name is the content's hash: when
// the file exists it already holds these bytes.
func writeOnce(path string, b []byte) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return fmt.Errorf("write media: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("write media: %w", err)
	}
	if err := f.Chmod(0o640); err != nil {
		f.Close()
		return fmt.Errorf("write media: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write media: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write media: %w", err)
	}
	return nil
}
