package editor

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"

	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/posts"
)

// What a multipart form may hold, within the cap the server puts on its
// body (server.UploadBodyLimit).
const (
	// maxFormText is what its text fields may hold in all: a post's body
	// and its translation at their longest fit several times over. It is
	// also the cap of a form sent without files.
	maxFormText = 1 << 20
	// maxFormFiles is what the files it keeps may weigh in all: a post's
	// images at their largest.
	maxFormFiles = posts.MaxMedia * media.MaxUploadBytes
	// maxFormParts bounds its fields, as Go's own parser does.
	maxFormParts = 1000
)

// errFormTooLarge is a form over one of the limits above.
var errFormTooLarge = errors.New("form over its limits")

// upload is a file sent with a form.
type upload struct {
	size int64 // as sent
	// file holds its bytes, or is nil when they were over
	// media.MaxUploadBytes: those were read only to be counted.
	file *os.File
}

// formFiles are the files of a form by field name; the first file of a
// field is kept, any other dropped.
type formFiles map[string]*upload

// uploaded is the file sent in field of r's form, or nil.
func uploaded(r *http.Request, field string) *upload {
	files, _ := r.Context().Value(filesKey).(formFiles)
	return files[field]
}

// withFiles is ctx carrying files for uploaded.
func withFiles(ctx context.Context, files formFiles) context.Context {
	return context.WithValue(ctx, filesKey, files)
}

// remove deletes the files' temporary copies.
func (files formFiles) remove() {
	for _, u := range files {
		if u.file != nil {
			u.file.Close()
			os.Remove(u.file.Name())
		}
	}
}

// readMultipart reads r's multipart form, part by part: its text fields
// into r.PostForm, its files into temporary files. A file over
// media.MaxUploadBytes is read to its end without being kept, so that the
// form comes back with "image too large" next to it and everything typed
// (Go's own parser would keep it whole, on disk). It returns
// errFormTooLarge, or the server's *http.MaxBytesError, for a form over
// its limits.
func readMultipart(r *http.Request) (files formFiles, err error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, err
	}
	values := url.Values{}
	files = formFiles{}
	defer func() {
		if err != nil {
			files.remove()
			files = nil
		}
	}()
	text, room := int64(maxFormText), int64(maxFormFiles)
	for n := 0; ; n++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if n == maxFormParts {
			return nil, errFormTooLarge
		}
		name := p.FormName()
		switch {
		case name == "":
			// Not a form field; NextPart reads past it.
		case p.FileName() == "":
			b, err := io.ReadAll(io.LimitReader(p, text+1))
			if err != nil {
				return nil, err
			}
			if text -= int64(len(b)); text < 0 {
				return nil, errFormTooLarge
			}
			values.Add(name, string(b))
		case files[name] == nil:
			u, err := keepFile(p, room)
			if err != nil {
				return nil, err
			}
			if u.file != nil {
				room -= u.size
			}
			files[name] = u
		}
	}
	r.PostForm = values
	r.Form = make(url.Values, len(values))
	for k, vs := range values {
		r.Form[k] = slices.Clip(vs)
	}
	for k, vs := range r.URL.Query() {
		r.Form[k] = append(r.Form[k], vs...)
	}
	return files, nil
}

// keepFile copies the file part p into a temporary file when it holds at
// most media.MaxUploadBytes, and room is left for it; a larger one is
// read to its end only to be counted.
func keepFile(p io.Reader, room int64) (*upload, error) {
	f, err := os.CreateTemp("", "newsroom-upload-*")
	if err != nil {
		return nil, err
	}
	n, err := io.Copy(f, io.LimitReader(p, media.MaxUploadBytes+1))
	if err == nil && n <= media.MaxUploadBytes {
		if n <= room {
			return &upload{size: n, file: f}, nil
		}
		err = errFormTooLarge
	}
	f.Close()
	os.Remove(f.Name())
	if err != nil {
		return nil, err
	}
	rest, err := io.Copy(io.Discard, p)
	if err != nil {
		return nil, err
	}
	return &upload{size: n + rest}, nil
}
