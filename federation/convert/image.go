package convert

import (
	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
)

// Image describes an uploaded image by its URL, media type and size: all
// an actor's icon and banner say, and what a post's attachment starts
// from.
// It reports false for an image /media/ does not serve, which is left out
// rather than failing the whole document.
func (c *Converter) Image(m newsroom.Media, ip *ap.IRIParser) (vocab.ActivityStreamsImage, bool) {
	file, ok := media.URLName(m)
	if !ok {
		return nil, false
	}
	img := streams.NewActivityStreamsImage()
	u := streams.NewActivityStreamsUrlProperty()
	u.AppendIRI(ip.Parse(c.urls.Media(file)))
	img.SetActivityStreamsUrl(u)
	mediaType := streams.NewActivityStreamsMediaTypeProperty()
	mediaType.Set(m.MIMEType)
	img.SetActivityStreamsMediaType(mediaType)
	// Width and height let a reader's app lay the image out before it
	// loads (and Pixelfed checks them); every row has them since upload.
	if m.Width > 0 && m.Height > 0 {
		w := streams.NewActivityStreamsWidthProperty()
		w.Set(m.Width)
		img.SetActivityStreamsWidth(w)
		h := streams.NewActivityStreamsHeightProperty()
		h.Set(m.Height)
		img.SetActivityStreamsHeight(h)
	}
	return img, true
}
