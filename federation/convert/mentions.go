package convert

import "github.com/soga/newsroom/internal/newsroom"

// addMentions adds the accounts p mentions to a serialised object or
// activity: a Mention tag each (href the actor, which Mastodon links to
// its account), and the actor in cc, which is what makes Mastodon notify
// it. Only objects carry tags.
func addMentions(m map[string]any, p *newsroom.Post, tags bool) {
	if len(p.Mentions) == 0 {
		return
	}
	cc := asList(m["cc"])
	for _, mention := range p.Mentions {
		cc = append(cc, mention.Actor)
	}
	m["cc"] = cc
	if !tags {
		return
	}
	list := asList(m["tag"])
	for _, mention := range p.Mentions {
		list = append(list, map[string]any{"type": "Mention", "href": mention.Actor, "name": mention.Name})
	}
	m["tag"] = list
}

// asList is a property's value as a list: absent, one value, or several.
func asList(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	case []string:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out
	}
	return []any{v}
}
