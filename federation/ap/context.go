package ap

import (
	"fmt"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// JSON-LD vocabularies every document of ours uses.
const (
	ActivityStreamsNS = "https://www.w3.org/ns/activitystreams"
	SecurityNS        = "https://w3id.org/security/v1"
)

// Context returns the @context of every ActivityStreams document we serve
// or deliver. go-fed's own context lists "http://joinmastodon.org/ns" as a
// document, which JSON-LD processors cannot load, and it knows nothing of
// the terms we add after serialising (indexable, attributionDomains,
// PropertyValue…). So we always replace it with this one, which declares
// each extension term the way Mastodon does. A new value is returned on
// each call so callers may not share and mutate it.
func Context() []any {
	return []any{
		ActivityStreamsNS,
		SecurityNS,
		map[string]any{
			"toot":                      "http://joinmastodon.org/ns#",
			"schema":                    "http://schema.org#",
			"manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
			"sensitive":                 "as:sensitive",
			"Hashtag":                   "as:Hashtag",
			"discoverable":              "toot:discoverable",
			"indexable":                 "toot:indexable",
			"blurhash":                  "toot:blurhash",
			"featured":                  map[string]any{"@id": "toot:featured", "@type": "@id"},
			"alsoKnownAs":               map[string]any{"@id": "as:alsoKnownAs", "@type": "@id"},
			"movedTo":                   map[string]any{"@id": "as:movedTo", "@type": "@id"},
			"attributionDomains": map[string]any{
				"@id": "toot:attributionDomains", "@type": "@id", "@container": "@set",
			},
			"focalPoint":    map[string]any{"@id": "toot:focalPoint", "@container": "@list"},
			"PropertyValue": "schema:PropertyValue",
			"value":         "schema:value",
		},
	}
}

// Serialize turns a go-fed value into the JSON map we send, with our
// @context in place of go-fed's.
func Serialize(t vocab.Type) (map[string]any, error) {
	m, err := streams.Serialize(t)
	if err != nil {
		return nil, fmt.Errorf("serialize %s: %w", t.GetTypeName(), err)
	}
	m["@context"] = Context()
	return m, nil
}
