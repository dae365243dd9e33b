// Package posts is the publishing service the editor's form, the command
// line and the scheduler share: it validates what an editor wrote, renders
// and sanitises it, and in one transaction writes the post, the activity
// that tells followers about it, and the job that delivers that activity.
// A post is never saved without its deliveries queued, nor the reverse.
package posts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/soga/newsroom/federation/convert"
	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/urls"
)

// Deps is what a Service needs. Now and NewID default to the clock and
// to ULIDs made by the caller's choice; tests set them.
type Deps struct {
	Store store.Store
	URLs  urls.Builder
	// Pages is emptied after every committed write; default: nothing to
	// empty, as from the command line.
	Pages newsroom.Invalidator
	Now   func() time.Time
	NewID func() string
	// Members boosts a member organisation's posts for the organisations
	// that boost members (*network.Service); nil boosts nothing.
	Members MemberBooster
	// Quotes withdraws the authorizations to quote a deleted post
	// (*audience.Service); nil withdraws nothing.
	Quotes QuoteRevoker
	// Mentions finds the remote accounts posts mention; with nil, only
	// our own organisations can be mentioned.
	Mentions AccountResolver
}

// QuoteRevoker writes, in the transaction that deletes a published post,
// the revocation of every authorization to quote it.
type QuoteRevoker interface {
	RevokeQuotes(ctx context.Context, tx store.Tx, org *newsroom.Organisation, p *newsroom.Post) error
}

// MemberBooster writes, in the transaction that publishes or deletes a
// post of an organisation that allows it, the Announces (or their Undos)
// of the organisations that boost their members.
type MemberBooster interface {
	BoostMember(ctx context.Context, tx store.Tx, org *newsroom.Organisation, p *newsroom.Post) error
	UnboostMember(ctx context.Context, tx store.Tx, org *newsroom.Organisation, p *newsroom.Post) error
}

// Service publishes, edits, schedules and deletes posts.
type Service struct {
	store   store.Store
	pages   newsroom.Invalidator
	convert *convert.Converter
	render  *Renderer
	now     func() time.Time
	newID   func() string
	members MemberBooster
	quotes  QuoteRevoker
	// mentions and urls resolve handles: remote, and our own.
	mentions AccountResolver
	urls     urls.Builder
}

// New returns a Service. NewID is required: post and activity ids are
// ULIDs, never reused.
func New(d Deps) *Service {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	pages := d.Pages
	if pages == nil {
		pages = newsroom.NoPages{}
	}
	return &Service{store: d.Store, pages: pages, convert: convert.New(d.URLs), render: NewRenderer(d.URLs), now: now, newID: d.NewID,
		members: d.Members, quotes: d.Quotes, mentions: d.Mentions, urls: d.URLs}
}

// ErrNotEditable is returned for a change a post's state forbids, such as
// turning a published post back into a draft.
var ErrNotEditable = fmt.Errorf("post cannot change this way: %w", newsroom.ErrConflict)

// ConflictError refuses a save made over a version of the post other than
// the stored one: someone saved it meanwhile. Current is the post as it is
// now, for the editor to reconcile with what they wrote.
type ConflictError struct {
	ID      string
	Current *newsroom.Post
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("post %s changed since it was loaded", e.ID)
}

func (e *ConflictError) Unwrap() error { return newsroom.ErrConflict }

// checkVersion refuses to write over p if in expected another version.
func checkVersion(p *newsroom.Post, in *PostInput) error {
	if in.Version != 0 && in.Version != p.Version {
		return &ConflictError{ID: p.ID, Current: p}
	}
	return nil
}

// current completes a conflict the store found: another transaction wrote
// the post between our read and our write, so the post we read is not
// the current one. Other errors come back as they are.
func (s *Service) current(ctx context.Context, err error) error {
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Current != nil {
		return err
	}
	p, perr := s.store.PostByID(ctx, ce.ID)
	if perr != nil {
		return fmt.Errorf("post %s after a conflict: %w", ce.ID, perr)
	}
	ce.Current = p
	return err
}

// Publish publishes a new post, or the draft or scheduled post in.ID, now;
// or schedules it when in.PublishAt is in the future.
func (s *Service) Publish(ctx context.Context, in PostInput) (*newsroom.Post, error) {
	return s.writeUnpublished(ctx, in, false, func(tx store.Tx, org *newsroom.Organisation, p *newsroom.Post, media []newsroom.Media) error {
		now := s.clock()
		if in.PublishAt.After(now) {
			return s.schedule(ctx, tx, p, in.PublishAt)
		}
		return s.publish(ctx, tx, org, p, media, now)
	})
}

// SaveDraft stores a new draft, or saves in over the draft or scheduled
// post in.ID, which then waits as a draft: its scheduled publication no
// longer happens.
func (s *Service) SaveDraft(ctx context.Context, in PostInput) (*newsroom.Post, error) {
	return s.writeUnpublished(ctx, in, true, func(tx store.Tx, _ *newsroom.Organisation, p *newsroom.Post, _ []newsroom.Media) error {
		p.Status, p.PublishAt = newsroom.StatusDraft, time.Time{}
		return s.save(ctx, tx, p)
	})
}

// writeUnpublished validates in, loads (or starts) the draft or scheduled
// post it names and fills it, then lets then decide what becomes of it,
// all in one transaction.
func (s *Service) writeUnpublished(ctx context.Context, in PostInput, draft bool,
	then func(tx store.Tx, org *newsroom.Organisation, p *newsroom.Post, media []newsroom.Media) error) (*newsroom.Post, error) {
	org, err := s.prepare(ctx, &in, draft)
	if err != nil {
		return nil, err
	}
	var p *newsroom.Post
	err = s.inTx(ctx, func(tx store.Tx) error {
		var err error
		if p, err = s.loadOrNew(ctx, tx, in.ID, org); err != nil {
			return err
		}
		// A post deleted meanwhile is no conflict to reconcile: nothing
		// of it is left to save over.
		if p.Status != newsroom.StatusDeleted {
			if err := checkVersion(p, &in); err != nil {
				return err
			}
		}
		if p.Status != newsroom.StatusDraft && p.Status != newsroom.StatusScheduled {
			return ErrNotEditable
		}
		if err := s.fill(p, &in); err != nil {
			return err
		}
		media, err := mediaRows(ctx, tx, p)
		if err != nil {
			return err
		}
		return then(tx, org, p, media)
	})
	if err != nil {
		return nil, s.current(ctx, err)
	}
	return p, nil
}

// Update edits post id. A published post is sent again as an Update with
// a new "updated" time; its kind may change between article and press
// release, but not to or from event, since its object type is fixed. A
// scheduled post keeps its schedule unless in.PublishAt moves it; a draft
// stays a draft.
func (s *Service) Update(ctx context.Context, id string, in PostInput) (*newsroom.Post, error) {
	cur, err := s.store.PostByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("post %s: %w", id, err)
	}
	if in.OrgID == 0 {
		in.OrgID = cur.OrgID
	}
	if in.OrgID != cur.OrgID {
		return nil, fmt.Errorf("post %s belongs to another organisation: %w", id, newsroom.ErrForbidden)
	}
	org, err := s.prepare(ctx, &in, cur.Status == newsroom.StatusDraft)
	if err != nil {
		return nil, err
	}
	var p *newsroom.Post
	err = s.inTx(ctx, func(tx store.Tx) error {
		var err error
		if p, err = tx.PostByID(ctx, id); err != nil {
			return fmt.Errorf("post %s: %w", id, err)
		}
		if p.Status == newsroom.StatusDeleted {
			return fmt.Errorf("post %s: %w", id, newsroom.ErrGone)
		}
		if err := checkVersion(p, &in); err != nil {
			return err
		}
		switch p.Status {
		case newsroom.StatusDraft:
			if err := s.fill(p, &in); err != nil {
				return err
			}
			if _, err := mediaRows(ctx, tx, p); err != nil {
				return err
			}
			return s.save(ctx, tx, p)
		case newsroom.StatusScheduled:
			at := p.PublishAt
			if !in.PublishAt.IsZero() {
				at = in.PublishAt
			}
			if err := s.fill(p, &in); err != nil {
				return err
			}
			media, err := mediaRows(ctx, tx, p)
			if err != nil {
				return err
			}
			if now := s.clock(); !at.After(now) {
				return s.publish(ctx, tx, org, p, media, now)
			}
			return s.schedule(ctx, tx, p, at)
		}
		return s.edit(ctx, tx, org, p, &in)
	})
	if err != nil {
		return nil, s.current(ctx, err)
	}
	return p, nil
}

// edit applies in to the published post p and sends the Update.
func (s *Service) edit(ctx context.Context, tx store.Tx, org *newsroom.Organisation, p *newsroom.Post, in *PostInput) error {
	if (p.Kind == newsroom.KindEvent) != (in.Kind == newsroom.KindEvent) {
		v := &newsroom.ValidationError{}
		v.Add("kind", "immutable")
		return v
	}
	objectType := p.ObjectType
	if err := s.fill(p, in); err != nil {
		return err
	}
	p.ObjectType = objectType
	media, err := mediaRows(ctx, tx, p)
	if err != nil {
		return err
	}
	return s.sendEdit(ctx, tx, org, p, media, true)
}

// sendEdit stamps p's "updated" time, writes it and emits its Update.
func (s *Service) sendEdit(ctx context.Context, tx store.Tx, org *newsroom.Organisation, p *newsroom.Post, media []newsroom.Media, deliver bool) error {
	// Mastodon applies an Update only when its "updated" is newer than what
	// it has, at the second: never send two edits with the same second.
	now := s.clock().Truncate(time.Second)
	last := p.PublishedAt
	if p.UpdatedAt.After(last) {
		last = p.UpdatedAt
	}
	if !now.After(last.Truncate(time.Second)) {
		now = last.Truncate(time.Second).Add(time.Second)
	}
	p.UpdatedAt = now
	if err := update(ctx, tx, p); err != nil {
		return err
	}
	return s.emit(ctx, tx, convert.Update, org, p, media, now, deliver)
}

// Delete deletes post id. The row stays as a tombstone so that its URL
// answers 410 and its id is never reused; what it said is erased. A post
// that was published is followed by a Delete. Deleting twice is not an
// error.
func (s *Service) Delete(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx store.Tx) error {
		p, err := tx.PostByID(ctx, id)
		if err != nil {
			return fmt.Errorf("post %s: %w", id, err)
		}
		if p.Status == newsroom.StatusDeleted {
			return nil
		}
		wasPublished := p.Status == newsroom.StatusPublished
		now := s.clock()
		p.Status, p.DeletedAt = newsroom.StatusDeleted, now
		p.Summary, p.BodyMD, p.BodyHTML, p.ContentWarning = "", "", "", ""
		p.Translation, p.Tags, p.Media = nil, nil, nil
		// The tombstone forgets whom the post mentioned; its Delete still
		// goes to them, as the post did.
		mentioned := p.Mentions
		p.Mentions = nil
		if p.Event != nil {
			// Keep the start, which event listings sort on; forget the rest.
			p.Event = &newsroom.Event{Start: p.Event.Start, End: p.Event.End, Timezone: p.Event.Timezone}
		}
		if err := tx.UpdatePost(ctx, p); err != nil {
			return err
		}
		if !wasPublished {
			return nil
		}
		org, err := tx.OrgByID(ctx, p.OrgID)
		if err != nil {
			return fmt.Errorf("organisation of post %s: %w", id, err)
		}
		p.Mentions = mentioned
		if err := s.emit(ctx, tx, convert.Delete, org, p, nil, now, true); err != nil {
			return err
		}
		if s.quotes != nil {
			if err := s.quotes.RevokeQuotes(ctx, tx, org, p); err != nil {
				return err
			}
		}
		if s.members != nil {
			return s.members.UnboostMember(ctx, tx, org, p)
		}
		return nil
	})
}

// PublishScheduled publishes post id if it is still scheduled for at. It
// does nothing when the post was published, turned back into a draft,
// deleted or rescheduled since, so a job that runs twice or late is
// harmless.
func (s *Service) PublishScheduled(ctx context.Context, id string, at time.Time) error {
	return s.inTx(ctx, func(tx store.Tx) error {
		p, err := tx.PostByID(ctx, id)
		if errors.Is(err, newsroom.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if p.Status != newsroom.StatusScheduled || !p.PublishAt.Equal(at.UTC()) {
			return nil
		}
		org, err := tx.OrgByID(ctx, p.OrgID)
		if err != nil {
			return fmt.Errorf("organisation of post %s: %w", id, err)
		}
		if org.Moved() {
			// It stays scheduled, visible to its editors, unsent: the
			// organisation publishes from its new account now.
			return nil
		}
		media, err := mediaRows(ctx, tx, p)
		if err != nil {
			return err
		}
		return s.publish(ctx, tx, org, p, media, s.clock())
	})
}

// Validate reports what Publish (draft false) or SaveDraft (draft true)
// would refuse in in, without writing anything, so that a form whose
// other fields do not even parse can show every problem at once.
func (s *Service) Validate(ctx context.Context, in PostInput, draft bool) error {
	_, err := s.prepare(ctx, &in, draft)
	return err
}

// prepare normalises in and validates it against its organisation.
func (s *Service) prepare(ctx context.Context, in *PostInput, draft bool) (*newsroom.Organisation, error) {
	if in.OrgID == 0 {
		v := &newsroom.ValidationError{}
		v.Add("org", "required")
		return nil, v
	}
	org, err := s.store.OrgByID(ctx, in.OrgID)
	if errors.Is(err, newsroom.ErrNotFound) {
		v := &newsroom.ValidationError{}
		v.Add("org", "invalid")
		return nil, v
	}
	if err != nil {
		return nil, fmt.Errorf("organisation %d: %w", in.OrgID, err)
	}
	if org.Moved() && !draft {
		// Its followers now follow the new account: what it published
		// here would reach no one, and would confuse those who read it.
		v := &newsroom.ValidationError{}
		v.Add("org", "moved")
		return nil, v
	}
	if in.Lang == "" {
		in.Lang = org.DefaultLang
	}
	in.Tags = NormaliseTags(in.Tags)
	// Browsers send line breaks as CRLF, and files may hold them: the
	// Markdown is kept with LF only.
	in.Body = strings.ReplaceAll(in.Body, "\r", "")
	if in.Translation != nil {
		tr := *in.Translation
		tr.Body = strings.ReplaceAll(tr.Body, "\r", "")
		in.Translation = &tr
	}
	if !in.PublishAt.IsZero() {
		in.PublishAt = in.PublishAt.UTC().Truncate(time.Microsecond)
	}
	return org, mergeInvalid(validate(in, draft), s.resolveMentions(ctx, in, draft))
}

// loadOrNew returns post id for editing, or a new draft when id is "".
func (s *Service) loadOrNew(ctx context.Context, tx store.Tx, id string, org *newsroom.Organisation) (*newsroom.Post, error) {
	if id == "" {
		return &newsroom.Post{ID: s.newID(), OrgID: org.ID, Status: newsroom.StatusDraft}, nil
	}
	p, err := tx.PostByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("post %s: %w", id, err)
	}
	if p.OrgID != org.ID {
		return nil, fmt.Errorf("post %s belongs to another organisation: %w", id, newsroom.ErrForbidden)
	}
	return p, nil
}

// save creates p when it has never been stored, or updates it.
func (s *Service) save(ctx context.Context, tx store.Tx, p *newsroom.Post) error {
	if p.CreatedAt.IsZero() {
		return tx.CreatePost(ctx, p)
	}
	return update(ctx, tx, p)
}

// update writes p over the version it was loaded at. The store refuses
// when another transaction wrote the post since (on PostgreSQL, between
// our read and our write): that is the editor's conflict too, and it
// aborts the transaction before any activity is written.
func update(ctx context.Context, tx store.Tx, p *newsroom.Post) error {
	err := tx.UpdatePost(ctx, p)
	if errors.Is(err, newsroom.ErrConflict) {
		return &ConflictError{ID: p.ID}
	}
	return err
}

// schedule stores p as scheduled for at and queues the job that will
// publish it then. The time is cut to the second first: the database keeps
// less than nanoseconds, and the job publishes only a post still
// scheduled for exactly its time.
func (s *Service) schedule(ctx context.Context, tx store.Tx, p *newsroom.Post, at time.Time) error {
	at = at.UTC().Truncate(time.Second)
	p.Status, p.PublishAt = newsroom.StatusScheduled, at
	if err := s.save(ctx, tx, p); err != nil {
		return err
	}
	return tx.Enqueue(ctx, jobs.PublishArgs{PostID: p.ID, PublishAt: at})
}

// publish makes p public now and sends its Create.
func (s *Service) publish(ctx context.Context, tx store.Tx, org *newsroom.Organisation, p *newsroom.Post, media []newsroom.Media, now time.Time) error {
	now = now.Truncate(time.Second)
	p.Status, p.PublishedAt, p.PublishAt = newsroom.StatusPublished, now, time.Time{}
	fixType(org, p)
	if err := s.save(ctx, tx, p); err != nil {
		return err
	}
	if err := s.emit(ctx, tx, convert.Create, org, p, media, now, true); err != nil {
		return err
	}
	return s.boostMember(ctx, tx, org, p)
}

// boostMember has the organisations that boost their members boost p,
// when its organisation allows it, in the transaction publishing p.
func (s *Service) boostMember(ctx context.Context, tx store.Tx, org *newsroom.Organisation, p *newsroom.Post) error {
	if s.members == nil || !org.AllowsBoosts {
		return nil
	}
	return s.members.BoostMember(ctx, tx, org, p)
}

// emit stores the activity typ about p and, when deliver, queues its
// fan-out, in tx. An activity not delivered is still served in the
// outbox.
func (s *Service) emit(ctx context.Context, tx store.Tx, typ string, org *newsroom.Organisation, p *newsroom.Post, media []newsroom.Media, at time.Time, deliver bool) error {
	id := s.newID()
	doc, err := s.convert.Activity(typ, id, at, org, p, media)
	if err != nil {
		return err
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encode %s of post %s: %w", typ, p.ID, err)
	}
	a := &newsroom.Activity{ID: id, OrgID: org.ID, Type: typ, PostID: p.ID, JSON: body, CreatedAt: at}
	if err := tx.CreateActivity(ctx, a); err != nil {
		return err
	}
	if !deliver {
		return nil
	}
	return tx.Enqueue(ctx, jobs.FanoutArgs{ActivityID: id, Mentioned: mentionInboxes(p.Mentions)})
}

// mediaRows loads the media of p's attachments; an unknown one is an
// input error.
func mediaRows(ctx context.Context, tx store.Tx, p *newsroom.Post) ([]newsroom.Media, error) {
	rows := make([]newsroom.Media, 0, len(p.Media))
	for _, pm := range p.Media {
		m, err := tx.MediaByID(ctx, pm.MediaID)
		if errors.Is(err, newsroom.ErrNotFound) {
			v := &newsroom.ValidationError{}
			v.Add("media", "invalid")
			return nil, v
		}
		if err != nil {
			return nil, fmt.Errorf("media %s: %w", pm.MediaID, err)
		}
		rows = append(rows, *m)
	}
	return rows, nil
}

// inTx runs fn in a transaction and, once it is committed, empties the
// public pages: whatever changed a post may show on any list.
func (s *Service) inTx(ctx context.Context, fn func(tx store.Tx) error) error {
	if err := s.store.InTx(ctx, fn); err != nil {
		return err
	}
	s.pages.Invalidate()
	return nil
}

// clock is now in UTC at the stores' precision, so that what is stored
// compares equal to what was written.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }
