package media

import (
	"fmt"

	"github.com/soga/newsroom/internal/newsroom"
)

// extensions are the file extensions of the image types /media/ serves.
// The extension is what tells the file server the type of a file, so
// every name we write or link to takes it from here.
var extensions = map[string]string{
	"image/jpeg": "jpg",
	"image/png":  "png",
	"image/gif":  "gif",
	"image/webp": "webp",
	"image/avif": "avif",
}

// Extension is the file extension of an image type /media/ serves, and
// false for a type it does not serve.
func Extension(mimeType string) (string, bool) {
	ext, ok := extensions[mimeType]
	return ext, ok
}

// TypeOf is the image type of a file extension /media/ serves, "" for
// any other.
func TypeOf(ext string) string {
	for t, e := range extensions {
		if e == ext {
			return t
		}
	}
	return ""
}

// URLName is m's file name under /media/ for documents that link to it,
// and false when there is nothing to link to: a type /media/ does not
// serve, or no id.
func URLName(m newsroom.Media) (string, bool) {
	ext, ok := extensions[m.MIMEType]
	if !ok || m.ID == "" {
		return "", false
	}
	return m.ID + "." + ext, true
}

// SmallName is the file name of m's small variant.
func SmallName(m newsroom.Media) string {
	return fmt.Sprintf("%s-w%d.%s", m.ID, SmallDimension, ext(m.MIMEType))
}

// FileName is the file name of m at full size.
func FileName(m newsroom.Media) string { return m.ID + "." + ext(m.MIMEType) }

// ext falls back to jpg for a type we do not serve: Save writes only JPEG
// and PNG, so such a row names a file that was never written anyway.
func ext(mimeType string) string {
	if e, ok := extensions[mimeType]; ok {
		return e
	}
	return "jpg"
}
