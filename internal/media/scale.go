package media

import (
	"image"

	xdraw "golang.org/x/image/draw"
)

// scaleBand is how many rows or columns one call of the kernel scaler
// handles. x/image/draw's kernel scaler allocates dw×sh×32 bytes of float64
// scratch per call (sh the source height it is given): for a 4000×3000
// photo scaled in one call that is 154 MB, and for a 1×40,000,000 strip it
// was gigabytes. Scaling in bands bounds the scratch to a few megabytes
// whatever the image's shape.
const scaleBand = 16

// fit scales img down so that its longest side is at most max.
func fit(img image.Image, max int) image.Image {
	b := img.Bounds()
	if b.Dx() <= max && b.Dy() <= max {
		return img
	}
	dw, dh := fitSize(b.Dx(), b.Dy(), max)
	return scale(img, dw, dh)
}

// fitSize is the size of a w×h image whose longest side is brought to max.
func fitSize(w, h, max int) (int, int) {
	if w <= max && h <= max {
		return w, h
	}
	if w >= h {
		return max, maxInt(1, h*max/w)
	}
	return maxInt(1, w*max/h), max
}

// scale resizes src to dw×dh with Catmull-Rom, one axis at a time, through
// an 8-bit intermediate (whichever of dw×sh and sw×dh is smaller). Each
// pass goes over bands that keep the other axis at 1:1, which Catmull-Rom
// reproduces exactly (its weights are 1 at distance 0 and 0 at every other
// whole distance), so bands join without seams.
func scale(src image.Image, dw, dh int) *image.NRGBA {
	sb := src.Bounds()
	sw, sh := sb.Dx(), sb.Dy()
	dst := image.NewNRGBA(image.Rect(0, 0, dw, dh))
	if int64(dw)*int64(sh) <= int64(sw)*int64(dh) {
		mid := image.NewNRGBA(image.Rect(0, 0, dw, sh))
		scaleRows(mid, src)
		scaleColumns(dst, mid)
	} else {
		mid := image.NewNRGBA(image.Rect(0, 0, sw, dh))
		scaleColumns(mid, src)
		scaleRows(dst, mid)
	}
	return dst
}

// scaleRows scales src's width to dst's; both have the same height.
func scaleRows(dst *image.NRGBA, src image.Image) {
	sb, dw := src.Bounds(), dst.Bounds().Dx()
	var z xdraw.Scaler
	for y := 0; y < sb.Dy(); y += scaleBand {
		n := min(scaleBand, sb.Dy()-y)
		if z == nil || n < scaleBand {
			z = xdraw.CatmullRom.NewScaler(dw, n, sb.Dx(), n)
		}
		z.Scale(dst, image.Rect(0, y, dw, y+n), src, image.Rect(sb.Min.X, sb.Min.Y+y, sb.Max.X, sb.Min.Y+y+n), xdraw.Src, nil)
	}
}

// scaleColumns scales src's height to dst's; both have the same width.
func scaleColumns(dst *image.NRGBA, src image.Image) {
	sb, dh := src.Bounds(), dst.Bounds().Dy()
	var z xdraw.Scaler
	for x := 0; x < sb.Dx(); x += scaleBand {
		n := min(scaleBand, sb.Dx()-x)
		if z == nil || n < scaleBand {
			z = xdraw.CatmullRom.NewScaler(n, dh, n, sb.Dy())
		}
		z.Scale(dst, image.Rect(x, 0, x+n, dh), src, image.Rect(sb.Min.X+x, sb.Min.Y, sb.Min.X+x+n, sb.Max.Y), xdraw.Src, nil)
	}
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
