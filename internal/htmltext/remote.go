package htmltext

import (
	"sync"

	"github.com/microcosm-cc/bluemonday"
)

// RemotePolicy cleans HTML written on other servers (replies, members'
// posts): text formatting and http(s) links only, never style, scripts,
// images or forms, so that nothing of it loads from another origin.
func RemotePolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "span", "strong", "em", "b", "i", "blockquote", "code", "pre", "ul", "ol", "li")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}

// remote is the RemotePolicy the server shares, built when first needed:
// a server that shows no reply or boost need not hold it.
var remote = sync.OnceValue(RemotePolicy)

// SanitizeRemote cleans s with RemotePolicy.
func SanitizeRemote(s string) string { return remote().Sanitize(s) }
