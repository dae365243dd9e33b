package media

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"log/slog"
	"math"

	"github.com/buckket/go-blurhash"

	"github.com/soga/newsroom/internal/newsroom"
)

// The blurhash is computed on a copy whose longest side is blurhashSide
// pixels: the hash keeps 4×3 colour components, which 32 pixels describe
// as well as 1,600, and the encoder's cost grows with every pixel it
// reads (about 12 cosines a pixel).
const (
	blurhashSide = 32
	blurhashX    = 4
	blurhashY    = 3
)

// Blurhash is the placeholder Mastodon and its apps paint while an image
// loads (toot:blurhash). Transparent areas count as white, the page
// behind a logo.
func Blurhash(img image.Image) (string, error) {
	b := img.Bounds()
	if b.Empty() {
		return "", errors.New("blurhash of an empty image")
	}
	w, h := fitSize(b.Dx(), b.Dy(), blurhashSide)
	small := img
	if w != b.Dx() || h != b.Dy() {
		small = scale(img, w, h)
	}
	flat := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(flat, flat.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(flat, flat.Bounds(), small, small.Bounds().Min, draw.Over)
	hash, err := blurhash.Encode(blurhashX, blurhashY, flat)
	if err != nil {
		return "", fmt.Errorf("blurhash: %w", err)
	}
	return hash, nil
}

// ErrBadFocus is a focal point outside -1..1.
var ErrBadFocus = errors.New("focal point outside -1..1")

// Focuser records an image's focal point (store.MediaStore).
type Focuser interface {
	SetMediaFocus(ctx context.Context, id string, x, y float64) error
}

// SetFocus records where the subject of image id is, x to the right and
// y up, each in -1..1 from the centre, as Mastodon's focalPoint.
func SetFocus(ctx context.Context, st Focuser, id string, x, y float64) error {
	if !validFocus(x) || !validFocus(y) {
		return ErrBadFocus
	}
	return st.SetMediaFocus(ctx, id, x, y)
}

// BlurhashStore is what Backfill reads and writes (store.MediaStore).
type BlurhashStore interface {
	MediaWithoutBlurhash(ctx context.Context, limit int) ([]newsroom.Media, error)
	SetMediaBlurhash(ctx context.Context, id, blurhash string) error
}

// backfillBatch bounds one read of rows without a blurhash.
const backfillBatch = 100

// Backfill computes the blurhash of images recorded before uploads had
// one, from their small variant (the large one would cost 16 times the
// decoding for the same hash). An image whose bytes cannot be read is
// logged and skipped, and counted in failed: it keeps no hash, and the
// posts naming it go out without one. It returns how many it computed.
func Backfill(ctx context.Context, blobs Blobs, st BlurhashStore, log *slog.Logger) (done, failed int, err error) {
	skip := map[string]bool{}
	for {
		rows, err := st.MediaWithoutBlurhash(ctx, backfillBatch+len(skip))
		if err != nil {
			return done, failed, err
		}
		progress := false
		for _, m := range rows {
			if skip[m.ID] {
				continue
			}
			progress = true
			hash, err := blurhashOf(ctx, blobs, m)
			if err != nil {
				if ctx.Err() != nil {
					return done, failed, ctx.Err()
				}
				log.Warn("no blurhash for an image", "media", m.ID, "err", err)
				skip[m.ID] = true
				failed++
				continue
			}
			if err := st.SetMediaBlurhash(ctx, m.ID, hash); err != nil {
				return done, failed, err
			}
			done++
		}
		if !progress {
			return done, failed, nil
		}
	}
}

// blurhashOf decodes m's small variant and hashes it.
func blurhashOf(ctx context.Context, blobs Blobs, m newsroom.Media) (string, error) {
	name := SmallName(m)
	if name == "" {
		return "", fmt.Errorf("type %q has no variant", m.MIMEType)
	}
	r, err := blobs.Open(ctx, name)
	if err != nil {
		return "", err
	}
	defer r.Close()
	// The small variant is ours, at most SmallDimension a side: decoding
	// it costs at most 400×400×4 bytes.
	img, _, err := image.Decode(r)
	if err != nil {
		return "", fmt.Errorf("decode %s: %w", name, err)
	}
	return Blurhash(img)
}

// validFocus reports whether v is a coordinate of a focal point.
func validFocus(v float64) bool { return !math.IsNaN(v) && v >= -1 && v <= 1 }
