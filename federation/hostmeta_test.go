package federation

import (
	"encoding/xml"
	"net/http"
	"testing"
)

func TestHostMeta(t *testing.T) {
	s := newTestServer(t, newFakeStore())
	template := s.URL + "/.well-known/webfinger?resource={uri}"

	resp, body := s.get(t, s.URL+"/.well-known/host-meta", "")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/xrd+xml" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var doc struct {
		XMLName xml.Name
		Links   []struct {
			Rel      string `xml:"rel,attr"`
			Template string `xml:"template,attr"`
		} `xml:"Link"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	if doc.XMLName.Space != "http://docs.oasis-open.org/ns/xri/xrd-1.0" || doc.XMLName.Local != "XRD" {
		t.Errorf("root %v", doc.XMLName)
	}
	if len(doc.Links) != 1 || doc.Links[0].Rel != "lrdd" || doc.Links[0].Template != template {
		t.Errorf("links %+v", doc.Links)
	}

	m := s.getJSON(t, s.URL+"/.well-known/host-meta.json", "", contentTypeJRD)
	if l := findLink(m, "lrdd"); l == nil || l["template"] != template {
		t.Errorf("host-meta.json %v", m)
	}
}
