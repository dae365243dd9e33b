package media

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
	"time"
)

// photo is a 3000×2000 JPEG with gradients and texture, the size of a
// phone photo after the phone's own resizing.
func photo(b *testing.B) []byte {
	b.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 3000, 2000))
	for y := 0; y < 2000; y++ {
		for x := 0; x < 3000; x++ {
			img.SetRGBA(x, y, color.RGBA{uint8(x / 12), uint8(y / 8), uint8((x*y)>>7 ^ x), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// The cost of an upload, everything included (read, decode, scale, two
// encodes, blurhash, write), and the blurhash alone on the same image's
// small variant, timed one after the other in each iteration so that the
// machine's noise falls on both alike: "blurhash-%" is what the blurhash
// adds to an upload. Figures in docs/benchmarks.md.
func BenchmarkUploadBlurhash(b *testing.B) {
	raw := photo(b)
	src, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		b.Fatal(err)
	}
	small := fit(fit(src, MaxDimension), SmallDimension)
	s := New(NewFiles(b.TempDir()), &recorder{}, nil)
	var upload, hash time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := s.Save(context.Background(), bytes.NewReader(raw)); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := Blurhash(small); err != nil {
			b.Fatal(err)
		}
		upload += t1.Sub(t0)
		hash += time.Since(t1)
	}
	b.ReportMetric(float64(upload.Microseconds())/float64(b.N)/1000, "upload-ms")
	b.ReportMetric(float64(hash.Microseconds())/float64(b.N)/1000, "blurhash-ms")
	b.ReportMetric(100*float64(hash)/float64(upload), "blurhash-%")
}
