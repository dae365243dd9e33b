package media

import (
	"encoding/binary"
	"image"
	"image/color"
)

// What decoding and scaling may allocate. An upload's cost is estimated
// from its header before anything is decoded, and counts the uploaded
// bytes: an image whose estimate exceeds maxImageBytes is refused, and the
// uploads being processed at one moment share uploadBudget, so that many
// uploads at once wait for each other instead of multiplying the memory.
// A 12-megapixel phone photo costs about 70 MB.
const (
	maxSide       = 16384
	maxImageBytes = 128 << 20
	uploadBudget  = 128 << 20
)

// cost estimates the peak bytes of holding raw, decoding the image whose
// header says cfg (format as image.DecodeConfig names it) and producing
// its two variants.
func cost(raw []byte, format string, cfg image.Config) int64 {
	w, h := int64(cfg.Width), int64(cfg.Height)
	dw, dh := fitSize(cfg.Width, cfg.Height, MaxDimension)
	out := int64(dw) * int64(dh) * 4
	// The intermediate of the two-pass scale, the scaler's scratch for one
	// band, and the scaled image with its turned and encoded copies.
	work := min(int64(dw)*h, w*int64(dh))*4 + scaleBand*max(w, h)*32 + 4*out
	return int64(len(raw)) + decodedBytes(raw, format, cfg) + work
}

// decodedBytes is what the standard decoders allocate for the pixels.
func decodedBytes(raw []byte, format string, cfg image.Config) int64 {
	px := int64(cfg.Width) * int64(cfg.Height)
	switch format {
	case "jpeg":
		return jpegBytes(raw, px)
	case "png":
		n := px * bytesPerPixel(cfg.ColorModel)
		if len(raw) > 28 && raw[28] == 1 {
			// Adam7: the decoder keeps each pass as an image of its own
			// before putting them together.
			n *= 2
		}
		return n
	case "gif":
		// A frame and the canvas it is drawn on.
		return 2 * px
	default:
		// WebP: NRGBA when lossless, less when lossy.
		return 4 * px
	}
}

func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel:
		return 1
	case color.Gray16Model:
		return 2
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 4
}

// jpegBytes reads the frame header: each component's plane, at its
// sampling, and for a progressive JPEG the coefficients the decoder keeps
// for the whole image (64 int32 per 8×8 block of each component).
func jpegBytes(raw []byte, px int64) int64 {
	progressive, planes, ok := jpegFrame(raw)
	if !ok {
		// Unknown layout: the most a three-component progressive image
		// can take.
		return 15 * px
	}
	n := int64(planes * float64(px))
	if progressive {
		n *= 5
	}
	return n
}

// jpegFrame returns whether the JPEG is progressive and how many bytes per
// pixel its component planes take together (3 for 4:4:4, 1.5 for 4:2:0).
func jpegFrame(b []byte) (progressive bool, planes float64, ok bool) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return false, 0, false
	}
	for i := 2; i+4 <= len(b) && b[i] == 0xFF; {
		marker := b[i+1]
		size := int(binary.BigEndian.Uint16(b[i+2:]))
		if size < 2 || i+2+size > len(b) || marker == 0xDA {
			return false, 0, false
		}
		if marker >= 0xC0 && marker <= 0xC2 {
			seg := b[i+4 : i+2+size]
			if len(seg) < 6 {
				return false, 0, false
			}
			n := int(seg[5])
			if n < 1 || len(seg) < 6+3*n {
				return false, 0, false
			}
			hmax, vmax, samples := 1, 1, make([][2]int, n)
			for c := 0; c < n; c++ {
				f := seg[6+3*c+1]
				samples[c] = [2]int{int(f >> 4), int(f & 0x0F)}
				hmax, vmax = max(hmax, samples[c][0]), max(vmax, samples[c][1])
			}
			for _, s := range samples {
				planes += float64(s[0]*s[1]) / float64(hmax*vmax)
			}
			return marker == 0xC2, planes, true
		}
		i += 2 + size
	}
	return false, 0, false
}
