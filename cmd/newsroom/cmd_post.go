package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/urls"
)

func cmdPost(ctx context.Context, args []string, e env) error {
	const want = "post takes 'publish', 'edit' or 'delete'"
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, want)
	}
	switch args[0] {
	case "publish":
		return postPublish(ctx, args[1:], e)
	case "edit":
		return postEdit(ctx, args[1:], e)
	case "delete":
		return postDelete(ctx, args[1:], e)
	default:
		return fmt.Errorf("%w: %s, not %q", errUsage, want, args[0])
	}
}

// postFileHelp explains the file the publish and edit commands read.
const postFileHelp = `FILE is Markdown, optionally after a front matter block between two '---'
lines: title, summary, tags (a list), content_warning, object_type (auto,
Note, Article), publish_at (a future time schedules the post); for events
start, end, timezone, place, street, postal_code, locality, region,
country, online_url, status; and a second language under translation:
lang, title, summary, body. Times are "2006-01-02 15:04" in the event's
time zone (UTC for publish_at), or RFC 3339 with an offset.`

func postPublish(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("post publish", e)
	handle := fs.String("org", "", "handle of the organisation publishing (required)")
	kind := fs.String("kind", "", "article, press or event (default: the file's kind, else article)")
	lang := fs.String("lang", "", "language of the post (default: the organisation's)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: newsroom post publish --org HANDLE [--kind KIND] [--lang LANG] FILE.md\n\n%s\n\n", postFileHelp)
		fs.PrintDefaults()
	}
	cfg, err := parse(fs, cf, args, e)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: post publish takes one FILE", errUsage)
	}
	in, err := readPostFile(fs.Arg(0))
	if err != nil {
		return err
	}
	if *kind != "" {
		in.Kind = newsroom.PostKind(*kind)
	}
	if in.Kind == "" {
		in.Kind = newsroom.KindArticle
	}
	if *lang != "" {
		in.Lang = *lang
	}
	st, err := openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()
	org, err := st.OrgByHandle(ctx, newsroom.NormaliseHandle(*handle))
	if errors.Is(err, newsroom.ErrNotFound) {
		return fmt.Errorf("%w: --org: no organisation @%s", errUsage, *handle)
	}
	if err != nil {
		return err
	}
	in.OrgID = org.ID
	u := urls.New(cfg.BaseURL)
	p, err := newPosts(st, u, nil).Publish(ctx, in)
	if err != nil {
		return err
	}
	if p.Status == newsroom.StatusScheduled {
		fmt.Fprintf(e.stderr, "scheduled for %s\n", p.PublishAt.Format(time.RFC3339))
	}
	fmt.Fprintln(e.stdout, u.Post(org.Handle, p.ID))
	return nil
}

func postEdit(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("post edit", e)
	kind := fs.String("kind", "", "article, press or event (default: the file's kind, else unchanged)")
	cfg, err := parse(fs, cf, args, e)
	if err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return fmt.Errorf("%w: post edit takes a post URL and a FILE", errUsage)
	}
	in, err := readPostFile(fs.Arg(1))
	if err != nil {
		return err
	}
	if *kind != "" {
		in.Kind = newsroom.PostKind(*kind)
	}
	st, err := openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()
	u := urls.New(cfg.BaseURL)
	cur, err := postByURL(ctx, st, u, fs.Arg(0))
	if err != nil {
		return err
	}
	if in.Kind == "" {
		in.Kind = cur.Kind
	}
	if in.Lang == "" {
		in.Lang = cur.Lang
	}
	if _, err := newPosts(st, u, nil).Update(ctx, cur.ID, in); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, fs.Arg(0))
	return nil
}

func postDelete(ctx context.Context, args []string, e env) error {
	fs, cf := newFlags("post delete", e)
	cfg, err := parse(fs, cf, args, e)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: post delete takes a post URL", errUsage)
	}
	st, err := openStore(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer st.Close()
	u := urls.New(cfg.BaseURL)
	p, err := postByURL(ctx, st, u, fs.Arg(0))
	if err != nil {
		return err
	}
	if err := newPosts(st, u, nil).Delete(ctx, p.ID); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "deleted %s\n", fs.Arg(0))
	return nil
}

// postByURL finds a post by its URL (or bare id), checking the URL names
// the organisation the post belongs to.
func postByURL(ctx context.Context, st migratingStore, u urls.Builder, ref string) (*newsroom.Post, error) {
	handle, id, ok := u.PostFromURL(ref)
	if !ok {
		if strings.ContainsAny(ref, "/:") {
			return nil, fmt.Errorf("%w: %q is not a post URL of %s", errUsage, ref, u.Base())
		}
		id = ref
	}
	p, err := st.PostByID(ctx, id)
	if errors.Is(err, newsroom.ErrNotFound) {
		return nil, fmt.Errorf("%w: no post %s", errUsage, ref)
	}
	if err != nil {
		return nil, err
	}
	if handle != "" {
		org, err := st.OrgByID(ctx, p.OrgID)
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(org.Handle, handle) {
			return nil, fmt.Errorf("%w: no post %s", errUsage, ref)
		}
	}
	return p, nil
}

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

	Translation *struct {
		Lang    string `yaml:"lang"`
		Title   string `yaml:"title"`
		Summary string `yaml:"summary"`
		Body    string `yaml:"body"`
	} `yaml:"translation"`
}

// readPostFile reads a Markdown file with its front matter into a
// PostInput. Mistakes are reported with the field's name, like the
// service's own validation.
func readPostFile(path string) (posts.PostInput, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return posts.PostInput{}, err
	}
	fm, body, err := splitFrontMatter(raw)
	if err != nil {
		return posts.PostInput{}, fmt.Errorf("%s: %w", path, err)
	}
	var m frontMatter
	if err := yaml.Unmarshal(fm, &m); err != nil {
		return posts.PostInput{}, fmt.Errorf("%s: front matter: %w", path, err)
	}
	in := posts.PostInput{Kind: newsroom.PostKind(m.Kind), Lang: m.Lang, Title: m.Title, Summary: m.Summary,
		Body: body, Tags: m.Tags, ContentWarning: m.ContentWarning, ObjectType: newsroom.ObjectType(m.ObjectType)}
	var v newsroom.ValidationError
	if m.PublishAt != "" {
		if in.PublishAt, err = parseTime(m.PublishAt, "UTC"); err != nil {
			v.Add("publish_at", "invalid")
		}
	}
	if m.Start != "" || m.Timezone != "" || m.Place != "" || m.OnlineURL != "" {
		ev := &newsroom.Event{Timezone: m.Timezone, PlaceName: m.Place, Street: m.Street, PostalCode: m.PostalCode,
			Locality: m.Locality, Region: m.Region, Country: m.Country, OnlineURL: m.OnlineURL, Status: m.Status}
		if ev.Start, err = parseTime(m.Start, m.Timezone); err != nil && m.Start != "" {
			v.Add("start", "invalid")
		}
		if m.End != "" {
			if ev.End, err = parseTime(m.End, m.Timezone); err != nil {
				v.Add("end", "invalid")
			}
		}
		in.Event = ev
		if in.Kind == "" {
			in.Kind = newsroom.KindEvent
		}
	}
	if tr := m.Translation; tr != nil {
		in.Translation = &posts.TranslationInput{Lang: tr.Lang, Title: tr.Title, Summary: tr.Summary, Body: tr.Body}
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

// parseTime reads RFC 3339, or a local "2006-01-02 15:04" in zone.
func parseTime(s, zone string) (time.Time, error) {
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
