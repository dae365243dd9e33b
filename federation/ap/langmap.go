package ap

import (
	"bytes"
	"encoding/json"
	"sort"
)

// LangMap is a language map (contentMap, nameMap, summaryMap) that is
// written with one language first. Mastodon takes a post's language from
// the first key of contentMap (then nameMap, summaryMap), and Go writes a
// map's keys sorted: a French post with an English translation would go
// out as {"en":…,"fr":…} and be labelled English.
type LangMap struct {
	First  string
	Values map[string]string
}

// MarshalJSON writes First's value first, then the others by language.
func (l LangMap) MarshalJSON() ([]byte, error) {
	keys := make([]string, 0, len(l.Values))
	for k := range l.Values {
		if k != l.First {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if _, ok := l.Values[l.First]; ok {
		keys = append([]string{l.First}, keys...)
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kj, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		vj, err := json.Marshal(l.Values[k])
		if err != nil {
			return nil, err
		}
		b.Write(kj)
		b.WriteByte(':')
		b.Write(vj)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
