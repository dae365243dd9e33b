package media

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
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
// encodes, blurhash, write), next to the blurhash alone: the ratio is
// what the blurhash adds. Figures in docs/benchmarks.md.
func BenchmarkUploadBlurhash(b *testing.B) {
	raw := photo(b)
	b.Run("upload", func(b *testing.B) {
		s := New(NewFiles(b.TempDir()), &recorder{}, nil)
		for b.Loop() {
			if _, err := s.Save(context.Background(), bytes.NewReader(raw)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("blurhash", func(b *testing.B) {
		src, _, err := image.Decode(bytes.NewReader(raw))
		if err != nil {
			b.Fatal(err)
		}
		small := fit(fit(src, MaxDimension), SmallDimension)
		for b.Loop() {
			if _, err := Blurhash(small); err != nil {
				b.Fatal(err)
			}
		}
	})
}
