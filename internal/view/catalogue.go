package view

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"text/template"
)

// catalogue is one language's messages: a flat JSON object of id to text.
// The few messages with {{…}} are text/template, parsed when first used.
//
// go-i18n did this before, and held 0.7 MB for the 70 KB of the two files
// (a template structure for each plural form of every message, though no
// message has plurals); doubled by the collector's headroom, that was 1.4
// MB of an idle server's memory.
type catalogue struct {
	msgs  map[string]string
	tmpls map[string]*messageTemplate // the messages with {{…}}
}

// messageTemplate is one message with arguments, parsed once.
type messageTemplate struct {
	src  string
	once sync.Once
	t    *template.Template
	err  error
}

// loadCatalogue reads lang's messages from fsys; fallback's fill any id
// lang lacks (nil for the fallback language itself), as a page should show
// English rather than an id.
func loadCatalogue(fsys fs.FS, lang string, fallback *catalogue) (*catalogue, error) {
	b, err := fs.ReadFile(fsys, "i18n/"+lang+".json")
	if err != nil {
		return nil, fmt.Errorf("view: catalogue %s: %w", lang, err)
	}
	c := &catalogue{tmpls: make(map[string]*messageTemplate)}
	if err := json.Unmarshal(b, &c.msgs); err != nil {
		return nil, fmt.Errorf("view: catalogue %s: %w", lang, err)
	}
	if fallback != nil {
		for id, msg := range fallback.msgs {
			if _, ok := c.msgs[id]; !ok {
				c.msgs[id] = msg
			}
		}
	}
	for id, msg := range c.msgs {
		if strings.Contains(msg, "{{") {
			c.tmpls[id] = &messageTemplate{src: msg}
		}
	}
	return c, nil
}

// translate returns message id with data, or id itself when the message
// is unknown or its template fails.
func (c *catalogue) translate(id string, data map[string]any) string {
	msg, ok := c.msgs[id]
	if !ok {
		return id
	}
	mt := c.tmpls[id]
	if mt == nil {
		return msg
	}
	t, err := mt.parsed(id)
	if err != nil {
		return id
	}
	var sb strings.Builder
	if err := t.Execute(&sb, data); err != nil {
		return id
	}
	return sb.String()
}

func (mt *messageTemplate) parsed(id string) (*template.Template, error) {
	mt.once.Do(func() { mt.t, mt.err = template.New(id).Parse(mt.src) })
	return mt.t, mt.err
}

// check parses every message with arguments, for tests.
func (c *catalogue) check() error {
	for id, mt := range c.tmpls {
		if _, err := mt.parsed(id); err != nil {
			return fmt.Errorf("view: message %s: %w", id, err)
		}
	}
	return nil
}
