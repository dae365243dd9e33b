package federation

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
)

// xrd is the XML form of host-meta (RFC 6415).
type xrd struct {
	XMLName xml.Name  `xml:"http://docs.oasis-open.org/ns/xri/xrd-1.0 XRD"`
	Links   []xrdLink `xml:"Link"`
}

type xrdLink struct {
	Rel      string `xml:"rel,attr"`
	Template string `xml:"template,attr"`
}

// webfingerTemplate is where host-meta sends clients that start from a
// host: older software looks WebFinger up through it.
func (h *Handler) webfingerTemplate() string {
	return h.urls.Abs("/.well-known/webfinger?resource={uri}")
}

// ServeHostMeta answers GET /.well-known/host-meta in XML.
func (h *Handler) ServeHostMeta(w http.ResponseWriter, r *http.Request) {
	doc := xrd{Links: []xrdLink{{Rel: "lrdd", Template: h.webfingerTemplate()}}}
	body, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		h.fail(w, r, fmt.Errorf("host-meta: %w", err))
		return
	}
	body = append([]byte(xml.Header), append(body, '\n')...)
	writeBody(w, r, contentTypeXRD, body, maxAgeDiscovery)
}

// ServeHostMetaJSON answers GET /.well-known/host-meta.json, the JRD form.
func (h *Handler) ServeHostMetaJSON(w http.ResponseWriter, r *http.Request) {
	doc := jrd{Links: []jrdLink{{Rel: "lrdd", Template: h.webfingerTemplate()}}}
	body, err := json.Marshal(doc)
	if err != nil {
		h.fail(w, r, fmt.Errorf("host-meta: %w", err))
		return
	}
	writeBody(w, r, contentTypeJRD, body, maxAgeDiscovery)
}
