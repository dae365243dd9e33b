package media

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"io"
	"log/slog"
	"math"
	"strings"
	"testing"

	"github.com/buckket/go-blurhash"

	"github.com/soga/newsroom/internal/newsroom"
)

// What follows from the algorithm's definition: size flag 'L' for 4×3
// components; the average colour as 24-bit sRGB in four base-83 digits
// (0xFFFFFF = 29·83³+28·83²+30·83+10 → "TSUA", 0xFF0000 = 29·83³+18·83²+
// 70·83+45 → "TI:j"); for black, every component zero: maximum '0' and
// eleven middle values 9·19²+9·19+9 = 3429, "fQ". (Flat colours other than
// black have small components: the basis sums cos(πix/w) from x = 0.)
func TestBlurhashReference(t *testing.T) {
	hash := func(img image.Image) string {
		t.Helper()
		h, err := Blurhash(img)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	if got, want := hash(flat(64, 48, color.NRGBA{0, 0, 0, 255})), "L00000"+strings.Repeat("fQ", 11); got != want {
		t.Errorf("black: %s, want %s", got, want)
	}
	white := hash(flat(64, 48, color.NRGBA{255, 255, 255, 255}))
	if white[:1] != "L" || white[2:6] != "TSUA" {
		t.Errorf("white: %s, want L?TSUA…", white)
	}
	// A transparent logo is painted on white, the page behind it.
	if got := hash(flat(64, 48, color.NRGBA{0, 0, 0, 0})); got != white {
		t.Errorf("transparent: %s, want white's %s", got, white)
	}
	// Larger than the hashed copy: scaled down first, same average.
	if got := hash(flat(1600, 1200, color.NRGBA{255, 0, 0, 255})); got[:1] != "L" || got[2:6] != "TI:j" {
		t.Errorf("red: %s, want L?TI:j…", got)
	}
}

// A hash keeps where the colours are: decoded, the left of a half red,
// half blue image is red and its right blue.
func TestBlurhashKeepsLayout(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 800, 300))
	for y := 0; y < 300; y++ {
		for x := 0; x < 800; x++ {
			c := color.NRGBA{0, 0, 255, 255}
			if x < 400 {
				c = color.NRGBA{255, 0, 0, 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	hash, err := Blurhash(img)
	if err != nil {
		t.Fatal(err)
	}
	assertSides(t, hash, "left")
}

// assertSides decodes hash and checks that red is on the side named and
// blue on the other ("left" or "top").
func assertSides(t *testing.T, hash, red string) {
	t.Helper()
	if x, y, err := blurhash.Components(hash); err != nil || x != 4 || y != 3 || len(hash) != 28 {
		t.Fatalf("hash %q: %d×%d components, %d characters, %v", hash, x, y, len(hash), err)
	}
	dec, err := blurhash.Decode(hash, 20, 20, 1)
	if err != nil {
		t.Fatal(err)
	}
	a, b := image.Pt(2, 10), image.Pt(17, 10)
	if red == "top" {
		a, b = image.Pt(10, 2), image.Pt(10, 17)
	}
	ra, _, ba, _ := dec.At(a.X, a.Y).RGBA()
	rb, _, bb, _ := dec.At(b.X, b.Y).RGBA()
	if ra <= ba || bb <= rb {
		t.Errorf("hash %s: %s side rgb(%d,_,%d), other side rgb(%d,_,%d)", hash, red, ra>>8, ba>>8, rb>>8, bb>>8)
	}
}

func flat(w, h int, c color.NRGBA) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return img
}

// An upload is recorded with its dimensions and the blurhash of the image
// as it is shown: a photo taken sideways (EXIF orientation 6, turned a
// quarter clockwise) has its red half on top.
func TestSaveRecordsBlurhash(t *testing.T) {
	for _, tc := range []struct {
		orientation int
		w, h        int
		red         string
	}{{1, 1600, 600, "left"}, {6, 600, 1600, "top"}} {
		rec := &recorder{}
		s := New(NewFiles(t.TempDir()), rec, nil)
		m, err := s.Save(context.Background(), bytes.NewReader(jpegWithExif(t, 3200, 1200, tc.orientation)))
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.rows) != 1 || rec.rows[0] != *m {
			t.Fatalf("recorded %v, returned %v", rec.rows, m)
		}
		if m.Width != tc.w || m.Height != tc.h {
			t.Errorf("orientation %d: %d×%d, want %d×%d", tc.orientation, m.Width, m.Height, tc.w, tc.h)
		}
		assertSides(t, m.Blurhash, tc.red)
	}
}

// hashes is a BlurhashStore in memory.
type hashes struct{ rows []newsroom.Media }

func (h *hashes) MediaWithoutBlurhash(_ context.Context, limit int) ([]newsroom.Media, error) {
	var out []newsroom.Media
	for _, m := range h.rows {
		if m.Blurhash == "" && len(out) < limit {
			out = append(out, m)
		}
	}
	return out, nil
}

func (h *hashes) SetMediaBlurhash(_ context.Context, id, hash string) error {
	for i := range h.rows {
		if h.rows[i].ID == id {
			h.rows[i].Blurhash = hash
			return nil
		}
	}
	return newsroom.ErrNotFound
}

// Images stored before uploads had a blurhash get the one an upload of
// the same bytes gets today, read from the stored small variant; an image
// whose bytes are gone is skipped, once, and the others still done.
func TestBackfill(t *testing.T) {
	ctx := context.Background()
	blobs := NewFiles(t.TempDir())
	rec := &recorder{}
	s := New(blobs, rec, nil)
	st := &hashes{}
	var want []string
	for i := range backfillBatch + 3 {
		raw := pngBytes(t, 40+i, 30, color.NRGBA{uint8(i), 100, 200, 255})
		m, err := s.Save(ctx, bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, m.Blurhash)
		m.Blurhash = ""
		st.rows = append(st.rows, *m)
	}
	st.rows = append(st.rows, newsroom.Media{ID: "0badc0de", MIMEType: "image/png", Width: 10, Height: 10})
	done, failed, err := Backfill(ctx, blobs, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil || done != backfillBatch+3 || failed != 1 {
		t.Fatalf("backfill: %d done, %d failed, %v", done, failed, err)
	}
	// The stored variant went through JPEG (quality 85), which moves a
	// flat area's colour by a few levels; the picture the hash paints
	// stays the same to the eye.
	for i, w := range want {
		if d := hashDistance(t, st.rows[i].Blurhash, w); d > 10 {
			t.Errorf("image %d: %q paints %d/255 away from %q, the hash at upload", i, st.rows[i].Blurhash, d, w)
		}
	}
}

// hashDistance is the largest difference of a colour channel between the
// pictures two hashes paint.
func hashDistance(t *testing.T, a, b string) int {
	t.Helper()
	ia, err := blurhash.Decode(a, 8, 6, 1)
	if err != nil {
		t.Fatalf("decode %q: %v", a, err)
	}
	ib, err := blurhash.Decode(b, 8, 6, 1)
	if err != nil {
		t.Fatalf("decode %q: %v", b, err)
	}
	worst := 0
	for y := 0; y < 6; y++ {
		for x := 0; x < 8; x++ {
			r1, g1, b1, _ := ia.At(x, y).RGBA()
			r2, g2, b2, _ := ib.At(x, y).RGBA()
			for _, d := range []int{int(r1>>8) - int(r2>>8), int(g1>>8) - int(g2>>8), int(b1>>8) - int(b2>>8)} {
				worst = max(worst, d, -d)
			}
		}
	}
	return worst
}

type focuser struct {
	id   string
	x, y float64
}

func (f *focuser) SetMediaFocus(_ context.Context, id string, x, y float64) error {
	f.id, f.x, f.y = id, x, y
	return nil
}

func TestSetFocusBounds(t *testing.T) {
	f := &focuser{}
	if err := SetFocus(context.Background(), f, "ab", -1, 0.5); err != nil || f.id != "ab" || f.x != -1 || f.y != 0.5 {
		t.Fatalf("valid focus: %v, %+v", err, f)
	}
	for _, bad := range [][2]float64{{1.01, 0}, {0, -1.5}, {math.NaN(), 0}, {0, math.Inf(1)}} {
		if err := SetFocus(context.Background(), &focuser{}, "ab", bad[0], bad[1]); !errors.Is(err, ErrBadFocus) {
			t.Errorf("focus %v: %v, want ErrBadFocus", bad, err)
		}
	}
}
