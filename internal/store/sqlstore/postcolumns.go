package sqlstore

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

// postRow is a post as the posts table holds it: translation and event
// flattened into columns, tags and media read as JSON arrays.
type postRow struct {
	p            *newsroom.Post
	tr           newsroom.Translation
	ev           newsroom.Event
	hasTr, hasEv bool
	tags, media  []byte
	mentions     []byte
}

// postColumn is one column of posts: how SELECT reads it into a post and
// how CreatePost and UpdatePost write it.
type postColumn struct {
	name string
	// read is the SELECT expression, when it is not p.<name>; %[1]s
	// stands for the dialect's JSONArrayAgg and %[2]s for its JSONObject.
	read string
	// dest is the scan destination for the column.
	dest func(r *postRow, d *Dialect) any
	// arg is the value written; nil for columns written apart or not at
	// all (the key, the creation time, the version, the children).
	arg func(r *postRow, d *Dialect) any
}

// postColumns declare the post's columns in one place: SELECT lists,
// INSERT, UPDATE and scanning all follow it, on both databases. A new
// column of posts needs a migration per dialect and a line here.
var postColumns = []postColumn{
	key(field("id", func(r *postRow) *string { return &r.p.ID })),
	field("org_id", func(r *postRow) *int64 { return &r.p.OrgID }),
	field("kind", func(r *postRow) *newsroom.PostKind { return &r.p.Kind }),
	field("status", func(r *postRow) *newsroom.PostStatus { return &r.p.Status }),
	field("object_type", func(r *postRow) *newsroom.ObjectType { return &r.p.ObjectType }),
	field("lang", func(r *postRow) *string { return &r.p.Lang }),
	field("title", func(r *postRow) *string { return &r.p.Title }),
	field("summary", func(r *postRow) *string { return &r.p.Summary }),
	field("body_md", func(r *postRow) *string { return &r.p.BodyMD }),
	field("body_html", func(r *postRow) *string { return &r.p.BodyHTML }),
	field("has_translation", func(r *postRow) *bool { return &r.hasTr }),
	field("tr_lang", func(r *postRow) *string { return &r.tr.Lang }),
	field("tr_title", func(r *postRow) *string { return &r.tr.Title }),
	field("tr_summary", func(r *postRow) *string { return &r.tr.Summary }),
	field("tr_body_md", func(r *postRow) *string { return &r.tr.BodyMD }),
	field("tr_body_html", func(r *postRow) *string { return &r.tr.BodyHTML }),
	field("content_warning", func(r *postRow) *string { return &r.p.ContentWarning }),
	field("source_url", func(r *postRow) *string { return &r.p.SourceURL }),
	field("has_event", func(r *postRow) *bool { return &r.hasEv }),
	timeField("event_start", func(r *postRow) *time.Time { return &r.ev.Start }),
	timeField("event_end", func(r *postRow) *time.Time { return &r.ev.End }),
	field("event_timezone", func(r *postRow) *string { return &r.ev.Timezone }),
	field("event_place", func(r *postRow) *string { return &r.ev.PlaceName }),
	field("event_street", func(r *postRow) *string { return &r.ev.Street }),
	field("event_postcode", func(r *postRow) *string { return &r.ev.PostalCode }),
	field("event_locality", func(r *postRow) *string { return &r.ev.Locality }),
	field("event_region", func(r *postRow) *string { return &r.ev.Region }),
	field("event_country", func(r *postRow) *string { return &r.ev.Country }),
	field("event_online", func(r *postRow) *string { return &r.ev.OnlineURL }),
	field("event_status", func(r *postRow) *string { return &r.ev.Status }),
	{
		name: "author_id", read: "coalesce(p.author_id, 0)",
		dest: func(r *postRow, _ *Dialect) any { return &r.p.AuthorID },
		arg:  func(r *postRow, _ *Dialect) any { return NullID(r.p.AuthorID) },
	},
	field("policy_quote", func(r *postRow) *newsroom.Approval { return &r.p.Policy.Quote }),
	field("policy_reply", func(r *postRow) *newsroom.Approval { return &r.p.Policy.Reply }),
	field("policy_like", func(r *postRow) *newsroom.Approval { return &r.p.Policy.Like }),
	field("policy_announce", func(r *postRow) *newsroom.Approval { return &r.p.Policy.Announce }),
	timeField("publish_at", func(r *postRow) *time.Time { return &r.p.PublishAt }),
	timeField("published_at", func(r *postRow) *time.Time { return &r.p.PublishedAt }),
	timeField("updated_at", func(r *postRow) *time.Time { return &r.p.UpdatedAt }),
	key(timeField("created_at", func(r *postRow) *time.Time { return &r.p.CreatedAt })),
	timeField("deleted_at", func(r *postRow) *time.Time { return &r.p.DeletedAt }),
	key(field("version", func(r *postRow) *int64 { return &r.p.Version })),
	{
		name: "tags",
		read: "(SELECT coalesce(%[1]s(tag ORDER BY position), '[]') FROM post_tags WHERE post_id = p.id)",
		dest: func(r *postRow, _ *Dialect) any { return &r.tags },
	},
	{
		name: "media",
		read: "(SELECT coalesce(%[1]s(%[2]s('id', media_id, 'alt', alt) ORDER BY position), '[]') FROM post_media WHERE post_id = p.id)",
		dest: func(r *postRow, _ *Dialect) any { return &r.media },
	},
	{
		name: "mentions",
		read: "(SELECT coalesce(%[1]s(%[2]s('name', name, 'actor', actor_id, 'url', url, 'inbox', inbox) ORDER BY position), '[]') FROM post_mentions WHERE post_id = p.id)",
		dest: func(r *postRow, _ *Dialect) any { return &r.mentions },
	},
}

// field is a column read and written as the Go value it holds.
func field[T any](name string, f func(r *postRow) *T) postColumn {
	return postColumn{
		name: name,
		dest: func(r *postRow, _ *Dialect) any { return f(r) },
		arg:  func(r *postRow, _ *Dialect) any { return *f(r) },
	}
}

// timeField is a time column, NULL for the zero time.
func timeField(name string, f func(r *postRow) *time.Time) postColumn {
	return postColumn{
		name: name,
		dest: func(r *postRow, d *Dialect) any { return d.ScanTime(f(r)) },
		arg:  func(r *postRow, d *Dialect) any { return d.time(*f(r)) },
	}
}

// key marks a column that CreatePost and UpdatePost do not write from the
// list: they set the id, creation time and version themselves.
func key(c postColumn) postColumn {
	c.arg = nil
	return c
}

// Statements following postColumns. insertPostSQL takes postArgs, then id
// and created_at; updatePostSQL takes postArgs, then id and the version
// the caller loaded.
var insertPostSQL, updatePostSQL = postWriteSQL()

func postWriteSQL() (insert, update string) {
	var cols, sets []string
	for _, c := range postColumns {
		if c.arg != nil {
			cols = append(cols, c.name)
			sets = append(sets, c.name+" = ?")
		}
	}
	insert = `INSERT INTO posts (` + strings.Join(cols, ", ") + `, id, created_at, version) VALUES (` +
		strings.Repeat("?, ", len(cols)) + `?, ?, 1)`
	update = `UPDATE posts SET ` + strings.Join(sets, ", ") +
		`, version = version + 1 WHERE id = ? AND version = ? RETURNING version`
	return insert, update
}

// postSelect is the SELECT list of postColumns in one dialect, built once:
// the tags and media aggregates name the dialect's JSON functions.
type postSelect struct {
	once sync.Once
	cols string
}

func (d *Dialect) postColumns() string {
	d.posts.once.Do(func() {
		reads := make([]string, len(postColumns))
		for i, c := range postColumns {
			reads[i] = "p." + c.name
			switch {
			case strings.Contains(c.read, "%"):
				reads[i] = fmt.Sprintf(c.read, d.JSONArrayAgg, d.JSONObject)
			case c.read != "":
				reads[i] = c.read
			}
		}
		d.posts.cols = strings.Join(reads, ", ")
	})
	return d.posts.cols
}

// postArgs are the values of the columns postColumns writes, in order.
func (q *Queries) postArgs(p *newsroom.Post, extra ...any) []any {
	r := postRow{p: p, hasTr: p.Translation != nil, hasEv: p.Event != nil}
	if r.hasTr {
		r.tr = *p.Translation
	}
	if r.hasEv {
		r.ev = *p.Event
	}
	args := make([]any, 0, len(postColumns)+len(extra))
	for _, c := range postColumns {
		if c.arg != nil {
			args = append(args, c.arg(&r, q.d))
		}
	}
	return append(args, extra...)
}

type mediaJSON struct {
	ID  string `json:"id"`
	Alt string `json:"alt"`
}

// scanPost reads a row of postColumns.
func (q *Queries) scanPost(row Row) (newsroom.Post, error) {
	var p newsroom.Post
	r := postRow{p: &p}
	dest := make([]any, len(postColumns))
	for i, c := range postColumns {
		dest[i] = c.dest(&r, q.d)
	}
	if err := row.Scan(dest...); err != nil {
		return p, err
	}
	if r.hasTr {
		p.Translation = &r.tr
	}
	if r.hasEv {
		p.Event = &r.ev
	}
	if err := json.Unmarshal(r.tags, &p.Tags); err != nil {
		return p, err
	}
	if len(p.Tags) == 0 {
		p.Tags = nil
	}
	var media []mediaJSON
	if err := json.Unmarshal(r.media, &media); err != nil {
		return p, err
	}
	for _, m := range media {
		p.Media = append(p.Media, newsroom.PostMedia{MediaID: m.ID, Alt: m.Alt})
	}
	return p, scanMentions(r.mentions, &p)
}

type mentionJSON struct {
	Name  string `json:"name"`
	Actor string `json:"actor"`
	URL   string `json:"url"`
	Inbox string `json:"inbox"`
}

// scanMentions reads the mentions column's JSON array into p.
func scanMentions(b []byte, p *newsroom.Post) error {
	var ms []mentionJSON
	if err := json.Unmarshal(b, &ms); err != nil {
		return err
	}
	for _, m := range ms {
		p.Mentions = append(p.Mentions, newsroom.Mention{Name: m.Name, Actor: m.Actor, URL: m.URL, Inbox: m.Inbox})
	}
	return nil
}
