package media

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	xdraw "golang.org/x/image/draw"
)

// noisy is a w×h image of random pixels: the worst case for comparing
// scalers, and incompressible enough to be a real upload.
func noisy(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(r.IntN(256))
	}
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 255
	}
	return img
}

// Scaling in bands must give what one call of the scaler gives, but for the
// rounding of the 8-bit intermediate.
func TestScaleInBandsMatchesOneCall(t *testing.T) {
	for _, c := range []struct{ sw, sh, dw, dh int }{
		{301, 97, 120, 39},  // wider: rows first
		{97, 301, 39, 120},  // taller: columns first
		{50, 2000, 1, 40},   // a strip
		{333, 333, 17, 200}, // squeezed one way, not the other
	} {
		src := noisy(c.sw, c.sh)
		want := image.NewNRGBA(image.Rect(0, 0, c.dw, c.dh))
		xdraw.CatmullRom.Scale(want, want.Bounds(), src, src.Bounds(), xdraw.Src, nil)
		got := scale(src, c.dw, c.dh)
		worst := 0
		for i := range got.Pix {
			d := int(got.Pix[i]) - int(want.Pix[i])
			worst = max(worst, d, -d)
		}
		if worst > 2 {
			t.Errorf("%dx%d to %dx%d: a channel differs by %d", c.sw, c.sh, c.dw, c.dh, worst)
		}
	}
}

func jpegOf(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A 12-megapixel photo used to make the scaler allocate 154 MB of scratch
// on its own; what a Save allocates now stays within its estimate.
func TestSaveAllocatesWithinItsEstimate(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes a 12-megapixel photo")
	}
	img := image.NewRGBA(image.Rect(0, 0, 4000, 3000))
	for y := 0; y < 3000; y++ {
		for x := 0; x < 4000; x++ {
			img.SetRGBA(x, y, color.RGBA{byte(x), byte(y), byte(x ^ y), 255})
		}
	}
	raw := jpegOf(t, img)
	img = nil
	need, err := check(raw)
	if err != nil {
		t.Fatal(err)
	}
	s := New(NewFiles(t.TempDir()), &recorder{}, nil)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := s.Save(context.Background(), bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	alloc := int64(after.TotalAlloc - before.TotalAlloc)
	t.Logf("allocated %d MB, estimated %d MB", alloc>>20, need>>20)
	if alloc > need || alloc > 100<<20 {
		t.Fatalf("Save allocated %d MB; its estimate was %d MB", alloc>>20, need>>20)
	}
}

// Uploads wait for each other's memory instead of adding to it.
func TestSaveWaitsForTheSharedBudget(t *testing.T) {
	raw := jpegOf(t, noisy(900, 600))
	s := New(NewFiles(t.TempDir()), &recorder{}, nil)
	if !s.budget.TryAcquire(uploadBudget) {
		t.Fatal("budget already taken")
	}
	done := make(chan error, 1)
	r := &countingReader{ReadSeeker: bytes.NewReader(raw)}
	go func() {
		_, err := s.Save(context.Background(), r)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("Save finished while the budget was taken: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	// Waiting, it holds none of the upload in memory.
	if n := r.n.Load(); n != 0 {
		t.Fatalf("read %d bytes of the upload while waiting for the budget", n)
	}
	s.budget.Release(uploadBudget)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// A request that goes away while waiting stores nothing.
	dir := t.TempDir()
	s = New(NewFiles(dir), &recorder{}, nil)
	s.budget.TryAcquire(uploadBudget)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.Save(ctx, bytes.NewReader(raw)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatal("something was stored")
	}
}

// countingReader counts the bytes read from it.
type countingReader struct {
	io.ReadSeeker
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.ReadSeeker.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func TestCostCountsBytesPerPixel(t *testing.T) {
	cfg := func(m color.Model) image.Config { return image.Config{ColorModel: m, Width: 1000, Height: 1000} }
	png8 := decodedBytes(nil, "png", cfg(color.NRGBAModel))
	png16 := decodedBytes(nil, "png", cfg(color.NRGBA64Model))
	if png16 != 2*png8 || png8 != 4_000_000 {
		t.Fatalf("png: 8-bit %d, 16-bit %d", png8, png16)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, noisy(64, 64), nil); err != nil { // 4:2:0
		t.Fatal(err)
	}
	progressive, planes, ok := jpegFrame(buf.Bytes())
	if !ok || progressive || planes != 1.5 {
		t.Fatalf("jpegFrame = %v, %v, %v; want baseline 4:2:0", progressive, planes, ok)
	}
}
