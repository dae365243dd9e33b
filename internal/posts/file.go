package posts

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/soga/newsroom/internal/newsroom"
)

// FileHelp explains the post file ParseFile reads, for the command line's
// usage text.
const FileHelp = `FILE is Markdown, optionally after a front matter block between two '---'
lines: title, summary, tags (a list; a tag may hold spaces: it is shown as
written and sent as one hashtag, "vie associative" as #VieAssociative),
content_warning, object_type (auto, Note, Article), publish_at (a future
time schedules the post); for events start, end, timezone, place, street,
postal_code, locality, region, country, online_url, status; and a second
language under translation: lang, title, summary, body; who may interact
under policy: quote, reply, like, announce, each anyone, followers,
manual (an editor approves) or nobody (unset: the organisation's). Times are
"2006-01-02 15:04" in the event's time zone (UTC for publish_at), or RFC
3339 with an offset.`

// frontMatter is the YAML block at the top of a post file.
type frontMatter struct {
	Kind           string   `yaml:"kind"`
	Lang           string   `yaml:"lang"`
	Title          string   `yaml:"title"`
	Summary        string   `yaml:"summary"`
	Tags           []string `yaml:"tags"`
	ContentWarning string   `yaml:"content_warning"`
	ObjectType     string   `yaml:"object_type"`
	PublishAt      string   `yaml:"publish_at"`

	Start      string `yaml:"start"`
	End        string `yaml:"end"`
	Timezone   string `yaml:"timezone"`
	Place      string `yaml:"place"`
	Street     string `yaml:"street"`
	PostalCode string `yaml:"postal_code"`
	Locality   string `yaml:"locality"`
	Region     string `yaml:"region"`
	Country    string `yaml:"country"`
	OnlineURL  string `yaml:"online_url"`
	Status     string `yaml:"status"`

	Policy struct {
		Quote    string `yaml:"quote"`
		Reply    string `yaml:"reply"`
		Like     string `yaml:"like"`
		Announce string `yaml:"announce"`
	} `yaml:"policy"`

	Translation *struct {
		Lang    string `yaml:"lang"`
		Title   string `yaml:"title"`
		Summary string `yaml:"summary"`
		Body    string `yaml:"body"`
	} `yaml:"translation"`
}

// ParseFile reads a post file, Markdown with its front matter, into a
// PostInput. Values that do not parse are reported with the field's name,
// like the service's own validation, which checks the rest.
func ParseFile(raw []byte) (PostInput, error) {
	fm, body, err := splitFrontMatter(raw)
	if err != nil {
		return PostInput{}, err
	}
	var m frontMatter
	if err := yaml.Unmarshal(fm, &m); err != nil {
		return PostInput{}, fmt.Errorf("front matter: %w", err)
	}
	in := PostInput{Kind: newsroom.PostKind(m.Kind), Lang: m.Lang, Title: m.Title, Summary: m.Summary,
		Body: body, Tags: m.Tags, ContentWarning: m.ContentWarning, ObjectType: newsroom.ObjectType(m.ObjectType),
		Policy: newsroom.InteractionPolicy{Quote: newsroom.Approval(m.Policy.Quote), Reply: newsroom.Approval(m.Policy.Reply),
			Like: newsroom.Approval(m.Policy.Like), Announce: newsroom.Approval(m.Policy.Announce)}}
	var v newsroom.ValidationError
	if m.PublishAt != "" {
		if in.PublishAt, err = parseFileTime(m.PublishAt, "UTC"); err != nil {
			v.Add("publish_at", "invalid")
		}
	}
	if m.Start != "" || m.Timezone != "" || m.Place != "" || m.OnlineURL != "" {
		ev := &newsroom.Event{Timezone: m.Timezone, PlaceName: m.Place, Street: m.Street, PostalCode: m.PostalCode,
			Locality: m.Locality, Region: m.Region, Country: m.Country, OnlineURL: m.OnlineURL, Status: m.Status}
		if ev.Start, err = parseFileTime(m.Start, m.Timezone); err != nil && m.Start != "" {
			v.Add("start", "invalid")
		}
		if m.End != "" {
			if ev.End, err = parseFileTime(m.End, m.Timezone); err != nil {
				v.Add("end", "invalid")
			}
		}
		in.Event = ev
		if in.Kind == "" {
			in.Kind = newsroom.KindEvent
		}
	}
	if tr := m.Translation; tr != nil {
		in.Translation = &TranslationInput{Lang: tr.Lang, Title: tr.Title, Summary: tr.Summary, Body: tr.Body}
	}
	return in, v.Err()
}

// splitFrontMatter separates a leading "---" block from the Markdown.
func splitFrontMatter(raw []byte) (front []byte, body string, err error) {
	raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
	text := strings.ReplaceAll(string(raw), "\r\n", "\n")
	if !strings.HasPrefix(text, "---\n") {
		return nil, text, nil
	}
	rest := text[len("---\n"):]
	end := strings.Index(rest, "\n---\n")
	if end < 0 {
		if strings.HasSuffix(rest, "\n---") {
			return []byte(rest[:len(rest)-len("\n---")]), "", nil
		}
		return nil, "", errors.New("front matter has no closing '---' line")
	}
	return []byte(rest[:end]), strings.TrimLeft(rest[end+len("\n---\n"):], "\n"), nil
}

// parseFileTime reads RFC 3339, or a local "2006-01-02 15:04" in zone.
func parseFileTime(s, zone string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "" {
		loc = time.UTC
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q: use 2006-01-02 15:04 or RFC 3339", s)
}
