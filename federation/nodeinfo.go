package federation

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// NodeInfo schema versions we serve, newest first.
const (
	nodeInfoSchema21 = "http://nodeinfo.diaspora.software/ns/schema/2.1"
	nodeInfoSchema20 = "http://nodeinfo.diaspora.software/ns/schema/2.0"
)

// softwareName must match ^[a-z0-9-]+$ in both schemas.
const softwareName = "newsroom"

type nodeInfo struct {
	Version           string           `json:"version"`
	Software          nodeInfoSoftware `json:"software"`
	Protocols         []string         `json:"protocols"`
	Services          nodeInfoServices `json:"services"`
	OpenRegistrations bool             `json:"openRegistrations"`
	Usage             nodeInfoUsage    `json:"usage"`
	Metadata          map[string]any   `json:"metadata"`
}

// nodeInfoSoftware: repository and homepage exist only in 2.1; the 2.0
// schema forbids other properties, so they are left empty there.
type nodeInfoSoftware struct {
	Name       string `json:"name"`
	Version    string `json:"version"`
	Repository string `json:"repository,omitempty"`
	Homepage   string `json:"homepage,omitempty"`
}

type nodeInfoServices struct {
	Inbound  []string `json:"inbound"`
	Outbound []string `json:"outbound"`
}

type nodeInfoUsage struct {
	Users      nodeInfoUsers `json:"users"`
	LocalPosts int           `json:"localPosts"`
}

type nodeInfoUsers struct {
	Total          int `json:"total"`
	ActiveMonth    int `json:"activeMonth"`
	ActiveHalfyear int `json:"activeHalfyear"`
}

// ServeNodeInfoIndex answers GET /.well-known/nodeinfo with links to the
// documents of each schema version.
func (h *Handler) ServeNodeInfoIndex(w http.ResponseWriter, r *http.Request) {
	doc := jrd{Links: []jrdLink{
		{Rel: nodeInfoSchema21, Href: h.urls.Abs("/nodeinfo/2.1")},
		{Rel: nodeInfoSchema20, Href: h.urls.Abs("/nodeinfo/2.0")},
	}}
	body, err := json.Marshal(doc)
	if err != nil {
		h.fail(w, r, fmt.Errorf("nodeinfo index: %w", err))
		return
	}
	writeBody(w, r, contentTypeJSON, body, maxAgeNodeInfo)
}

// ServeNodeInfo21 answers GET /nodeinfo/2.1.
func (h *Handler) ServeNodeInfo21(w http.ResponseWriter, r *http.Request) {
	h.serveNodeInfo(w, r, "2.1", nodeInfoSchema21)
}

// ServeNodeInfo20 answers GET /nodeinfo/2.0.
func (h *Handler) ServeNodeInfo20(w http.ResponseWriter, r *http.Request) {
	h.serveNodeInfo(w, r, "2.0", nodeInfoSchema20)
}

func (h *Handler) serveNodeInfo(w http.ResponseWriter, r *http.Request, version, schema string) {
	users, posts, err := h.stats.NodeStats(r.Context())
	if err != nil {
		h.fail(w, r, fmt.Errorf("nodeinfo stats: %w", err))
		return
	}
	software := nodeInfoSoftware{Name: softwareName, Version: h.version}
	if version == "2.1" {
		software.Repository = h.repository
		software.Homepage = h.homepage
	}
	doc := nodeInfo{
		Version:   version,
		Software:  software,
		Protocols: []string{"activitypub"},
		Services:  nodeInfoServices{Inbound: []string{}, Outbound: []string{"atom1.0", "rss2.0"}},
		// Our users are organisations, which publish whenever they have
		// news: every one of them counts as active.
		Usage: nodeInfoUsage{
			Users:      nodeInfoUsers{Total: users, ActiveMonth: users, ActiveHalfyear: users},
			LocalPosts: posts,
		},
		Metadata: map[string]any{"nodeName": h.name(h.siteSettings(r.Context()))},
	}
	body, err := json.Marshal(doc)
	if err != nil {
		h.fail(w, r, fmt.Errorf("nodeinfo: %w", err))
		return
	}
	writeBody(w, r, `application/json; profile="`+schema+`#"`, body, maxAgeNodeInfo)
}
