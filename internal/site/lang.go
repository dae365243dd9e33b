package site

import (
	"net/http"
	"sync"

	"github.com/soga/newsroom/internal/view"
)

// langMemo remembers which interface language each Accept-Language header
// picks. Parsing and matching the header costs more than serving a cached
// page, and a stampede repeats the same few headers.
type langMemo struct {
	mu sync.RWMutex
	m  map[string]string
}

// maxLangMemo bounds the headers remembered; past it the memo starts over.
const maxLangMemo = 1024

func (l *langMemo) pick(r *http.Request) string {
	header := r.Header.Get("Accept-Language")
	l.mu.RLock()
	lang, ok := l.m[header]
	l.mu.RUnlock()
	if ok {
		return lang
	}
	lang = view.PickLang("", r)
	if len(header) <= 256 {
		l.mu.Lock()
		if l.m == nil || len(l.m) >= maxLangMemo {
			l.m = make(map[string]string)
		}
		l.m[header] = lang
		l.mu.Unlock()
	}
	return lang
}
