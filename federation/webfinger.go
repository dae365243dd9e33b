package federation

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/soga/newsroom/internal/newsroom"
)

// WebFinger link relations we publish.
const (
	relSelf        = "self"
	relProfilePage = "http://webfinger.net/rel/profile-page"
)

// jrd is a JSON Resource Descriptor (RFC 7033).
type jrd struct {
	Subject string    `json:"subject,omitempty"`
	Aliases []string  `json:"aliases,omitempty"`
	Links   []jrdLink `json:"links"`
}

type jrdLink struct {
	Rel      string `json:"rel"`
	Type     string `json:"type,omitempty"`
	Href     string `json:"href,omitempty"`
	Template string `json:"template,omitempty"`
}

// errBadResource is a resource parameter we cannot read.
var errBadResource = errors.New("invalid resource")

// ServeWebFinger answers GET /.well-known/webfinger?resource=…, which is
// how a fediverse user's "@handle@host" becomes our actor's id. It accepts
// acct:handle@host (or handle@host), an actor's URL, and the same for the
// instance actor.
func (h *Handler) ServeWebFinger(w http.ResponseWriter, r *http.Request) {
	// Web clients look accounts up from other origins.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	resource := strings.TrimSpace(r.URL.Query().Get("resource"))
	if resource == "" {
		writeError(w, http.StatusBadRequest, "missing resource")
		return
	}
	handle, instance, err := h.parseResource(resource)
	if errors.Is(err, errBadResource) {
		writeError(w, http.StatusBadRequest, "invalid resource")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var doc jrd
	if instance {
		doc = h.instanceJRD()
	} else {
		org, err := h.orgs.OrgByHandle(r.Context(), handle)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		doc = h.orgJRD(org)
	}
	body, err := json.Marshal(doc)
	if err != nil {
		h.fail(w, r, fmt.Errorf("webfinger: %w", err))
		return
	}
	writeBody(w, r, contentTypeJRD, body, maxAgeDiscovery)
}

func (h *Handler) orgJRD(org *newsroom.Organisation) jrd {
	id := h.urls.Org(org.Handle)
	return jrd{
		Subject: h.urls.Acct(org.Handle),
		Aliases: []string{id},
		Links: []jrdLink{
			{Rel: relSelf, Type: contentTypeActivity, Href: id},
			{Rel: relProfilePage, Type: "text/html", Href: id},
		},
	}
}

func (h *Handler) instanceJRD() jrd {
	id := h.urls.InstanceActor()
	return jrd{
		Subject: "acct:" + h.convert.Hostname() + "@" + h.urls.Host(),
		Aliases: []string{id},
		Links:   []jrdLink{{Rel: relSelf, Type: contentTypeActivity, Href: id}},
	}
}

// parseResource finds whom a WebFinger resource names: an organisation by
// handle, or the instance actor. Resources on other hosts are
// newsroom.ErrNotFound; unreadable ones errBadResource.
func (h *Handler) parseResource(resource string) (handle string, instance bool, err error) {
	lower := strings.ToLower(resource)
	if strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://") {
		return h.parseActorURL(resource)
	}
	acct := resource
	if strings.HasPrefix(lower, "acct:") {
		acct = resource[len("acct:"):]
	}
	acct = strings.TrimPrefix(acct, "@")
	i := strings.LastIndexByte(acct, '@')
	if i <= 0 || i == len(acct)-1 {
		return "", false, errBadResource
	}
	user, host := acct[:i], acct[i+1:]
	if !h.sameHost(host) {
		return "", false, newsroom.ErrNotFound
	}
	if strings.EqualFold(user, h.convert.Hostname()) || strings.EqualFold(user, h.urls.Host()) {
		return "", true, nil
	}
	return strings.ToLower(user), false, nil
}

// parseActorURL reads an actor id of ours given as a resource.
func (h *Handler) parseActorURL(resource string) (handle string, instance bool, err error) {
	u, err := url.Parse(resource)
	if err != nil {
		return "", false, errBadResource
	}
	base, err := url.Parse(h.urls.Base())
	if err != nil {
		return "", false, fmt.Errorf("base URL: %w", err)
	}
	if !strings.EqualFold(u.Scheme, base.Scheme) || !h.sameHost(u.Host) ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", false, newsroom.ErrNotFound
	}
	if u.Path == "/actor" {
		return "", true, nil
	}
	handle, ok := strings.CutPrefix(u.Path, "/orgs/")
	if !ok || handle == "" || strings.Contains(handle, "/") {
		return "", false, newsroom.ErrNotFound
	}
	return handle, false, nil
}

// sameHost reports whether host (with an optional port) is ours. Hosts
// compare case-insensitively, and naming the scheme's default port
// explicitly changes nothing.
func (h *Handler) sameHost(host string) bool {
	host = strings.ToLower(host)
	ours := strings.ToLower(h.urls.Host())
	if host == ours {
		return true
	}
	defaultPort := ":80"
	if strings.HasPrefix(h.urls.Base(), "https://") {
		defaultPort = ":443"
	}
	_, _, err := net.SplitHostPort(ours)
	hasPort := err == nil
	return !hasPort && host == ours+defaultPort
}
