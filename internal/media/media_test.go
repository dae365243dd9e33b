package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
)

type recorder struct{ rows []newsroom.Media }

func (r *recorder) PutMedia(_ context.Context, m newsroom.Media) error {
	r.rows = append(r.rows, m)
	return nil
}

func pngBytes(t *testing.T, w, h int, c color.NRGBA) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// jpegWithExif is a w×h JPEG whose left half is red, carrying an EXIF
// block with an orientation and a marker string standing for GPS data.
func jpegWithExif(t *testing.T, w, h, orientation int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{0, 0, 255, 255}
			if x < w/2 {
				c = color.RGBA{255, 0, 0, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08" + // big-endian header, IFD at 8
		"\x00\x01" + // one entry
		"\x01\x12\x00\x03\x00\x00\x00\x01" + string([]byte{0, byte(orientation), 0, 0}) +
		"\x00\x00\x00\x00" + "GPSLatitude 48.8566 secret")
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xFF, 0xE1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}
	out := append([]byte{0xFF, 0xD8}, app1...)
	out = append(out, seg...)
	return append(out, buf.Bytes()[2:]...)
}

func TestSaveScalesStripsAndNamesByHash(t *testing.T) {
	dir := t.TempDir()
	rec := &recorder{}
	s := New(NewFiles(dir), rec, nil)
	m, err := s.Save(context.Background(), bytes.NewReader(jpegWithExif(t, 3200, 1200, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if m.Width != MaxDimension || m.Height != 600 || m.MIMEType != "image/jpeg" {
		t.Fatalf("got %dx%d %s", m.Width, m.Height, m.MIMEType)
	}
	b, err := os.ReadFile(filepath.Join(dir, m.ID+".jpg"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if hex.EncodeToString(sum[:]) != m.ID || int64(len(b)) != m.Size {
		t.Fatalf("file is not named by its hash")
	}
	if bytes.Contains(b, []byte("Exif")) || bytes.Contains(b, []byte("GPSLatitude")) {
		t.Fatalf("metadata kept")
	}
	small, err := os.ReadFile(filepath.Join(dir, SmallName(*m)))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(small))
	if err != nil || cfg.Width != SmallDimension || cfg.Height != 150 {
		t.Fatalf("small variant %dx%d %v", cfg.Width, cfg.Height, err)
	}
	if len(rec.rows) != 1 || rec.rows[0].ID != m.ID || rec.rows[0].Width != m.Width {
		t.Fatalf("rows %+v", rec.rows)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("directory holds %d files, want the image and its small variant", len(entries))
	}
}

// A phone photo taken upright is stored sideways with orientation 6; the
// stored image must stand upright, since re-encoding drops the tag.
func TestSaveTurnsByOrientation(t *testing.T) {
	s := New(NewFiles(t.TempDir()), &recorder{}, nil)
	m, err := s.Save(context.Background(), bytes.NewReader(jpegWithExif(t, 300, 100, 6)))
	if err != nil {
		t.Fatal(err)
	}
	if m.Width != 100 || m.Height != 300 {
		t.Fatalf("got %dx%d, want 100x300", m.Width, m.Height)
	}
	b, _ := os.ReadFile(filepath.Join(s.blobs.(*Files).dir, FileName(*m)))
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	// Turned right, the red left half becomes the top.
	if r, _, bl, _ := img.At(50, 20).RGBA(); r < 0xc000 || bl > 0x4000 {
		t.Fatalf("top is not red: r=%x b=%x", r, bl)
	}
}

func TestSaveKeepsTransparencyAsPNG(t *testing.T) {
	s := New(NewFiles(t.TempDir()), &recorder{}, nil)
	m, err := s.Save(context.Background(), bytes.NewReader(pngBytes(t, 40, 30, color.NRGBA{10, 20, 30, 100})))
	if err != nil {
		t.Fatal(err)
	}
	if m.MIMEType != "image/png" || m.Width != 40 || m.Height != 30 || !strings.HasSuffix(FileName(*m), ".png") {
		t.Fatalf("got %+v", m)
	}
}

// pngHeader is the start of a PNG claiming w×h pixels of the given bit
// depth and colour type, with no image data behind it: all a decoder
// reads before it allocates.
func pngHeader(t *testing.T, w, h uint32, depth, colorType byte) []byte {
	t.Helper()
	b := append([]byte(nil), pngBytes(t, 1, 1, color.NRGBA{0, 0, 0, 255})...)
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	b[24], b[25] = depth, colorType
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func TestSaveRefuses(t *testing.T) {
	big := make([]byte, MaxUploadBytes+1)
	copy(big, pngBytes(t, 10, 10, color.NRGBA{0, 0, 0, 255}))
	// A PNG header claiming 100000×100000 pixels, with no data behind it.
	bomb := pngBytes(t, 1, 1, color.NRGBA{0, 0, 0, 255})
	bomb = append([]byte(nil), bomb...)
	copy(bomb[16:], []byte{0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0})
	binary.BigEndian.PutUint32(bomb[29:], crc32.ChecksumIEEE(bomb[12:29]))
	cases := map[string]struct {
		body []byte
		want error
	}{
		// Within 40 megapixels, but scaling the strip to 1×1600 made the
		// scaler allocate 32 bytes per source row: 6 GB.
		"1×40,000,000 strip": {pngHeader(t, 1, 40_000_000, 8, 6), ErrTooLarge},
		"16,385 wide":        {pngHeader(t, 16_385, 100, 8, 6), ErrTooLarge},
		// 40 megapixels at 8 bytes each decode to 317 MB.
		"6000×6600 16-bit RGBA": {pngHeader(t, 6000, 6600, 16, 6), ErrTooLarge},
		"html named .png":       {[]byte("<!doctype html><script>alert(1)</script>"), ErrNotImage},
		"json":                  {[]byte(`{"type":"Note","id":"https://evil.test/x"}`), ErrNotImage},
		"svg":                   {[]byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), ErrNotImage},
		"truncated png":         {pngBytes(t, 20, 20, color.NRGBA{0, 0, 0, 255})[:60], ErrNotImage},
		"over 8 MB":             {big, ErrTooLarge},
		"too many pixels":       {bomb, ErrTooLarge},
		"empty":                 {nil, ErrNotImage},
		"pdf":                   {[]byte("%PDF-1.7\n"), ErrNotImage},
		"png magic + html":      {append([]byte("\x89PNG\r\n\x1a\n"), []byte("<html>")...), ErrNotImage},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			rec := &recorder{}
			_, err := New(NewFiles(dir), rec, nil).Save(context.Background(), bytes.NewReader(c.body))
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 || len(rec.rows) != 0 {
				t.Fatalf("something was stored")
			}
		})
	}
}
