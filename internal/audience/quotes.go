package audience

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/soga/newsroom/internal/jobs"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/store"
)

// Quote records a request to quote post (FEP-044f) and answers it as the
// post's quote policy says: an Accept naming our authorization, a Reject,
// or nothing yet when an editor decides. The request, the quote and the
// answer with its delivery job are one transaction. A quoting post asked
// about again (a retry with a new request id) gets the decision already
// made, for that new request.
func (s *Service) Quote(ctx context.Context, rec newsroom.InboxActivity, org *newsroom.Organisation, post *newsroom.Post, q newsroom.Quote) error {
	return s.record(ctx, rec, func(tx store.Tx) error {
		prev, err := tx.QuoteByObject(ctx, post.ID, q.ObjectID)
		switch {
		case err == nil:
			if prev.Status == newsroom.QuotePending {
				return nil
			}
			prev.RequestID, prev.Inbox = q.RequestID, q.Inbox
			return s.answerQuote(ctx, tx, org, *prev, prev.Status == newsroom.QuoteApproved)
		case !errors.Is(err, newsroom.ErrNotFound):
			return err
		}
		q.PostID, q.CreatedAt = post.ID, s.Now().UTC()
		q.Status, err = s.quoteDecision(ctx, tx, org, post, q.ActorID)
		if err != nil {
			return err
		}
		if q.Status != newsroom.QuotePending {
			q.DecidedAt = q.CreatedAt
		}
		if _, err := tx.AddQuote(ctx, q); err != nil {
			return err
		}
		if q.Status == newsroom.QuotePending {
			return nil
		}
		return s.answerQuote(ctx, tx, org, q, q.Status == newsroom.QuoteApproved)
	})
}

// quoteDecision is what post's policy decides for a quote by actorID.
func (s *Service) quoteDecision(ctx context.Context, tx store.Tx, org *newsroom.Organisation, post *newsroom.Post, actorID string) (newsroom.QuoteStatus, error) {
	switch newsroom.EffectivePolicy(org, post).Quote {
	case newsroom.ApprovalAnyone:
		return newsroom.QuoteApproved, nil
	case newsroom.ApprovalManual:
		return newsroom.QuotePending, nil
	case newsroom.ApprovalFollowers:
		follows, err := tx.IsFollower(ctx, org.ID, actorID)
		if err != nil {
			return "", err
		}
		if follows {
			return newsroom.QuoteApproved, nil
		}
	}
	return newsroom.QuoteRejected, nil
}

// DecideQuote approves or refuses a pending quote of a post of orgID, as
// an editor does: the quoting server gets our Accept or Reject. A quote
// decided meanwhile (by another editor) is ErrNotFound.
func (s *Service) DecideQuote(ctx context.Context, orgID int64, id string, approve bool) error {
	err := s.Store.InTx(ctx, func(tx store.Tx) error {
		q, err := tx.QuoteByID(ctx, id)
		if err != nil {
			return err
		}
		post, err := tx.PostByID(ctx, q.PostID)
		if err != nil {
			return err
		}
		if post.OrgID != orgID {
			return fmt.Errorf("quote %s: %w", id, newsroom.ErrForbidden)
		}
		org, err := tx.OrgByID(ctx, orgID)
		if err != nil {
			return err
		}
		to := newsroom.QuoteRejected
		if approve {
			to = newsroom.QuoteApproved
		}
		if err := tx.DecideQuote(ctx, id, newsroom.QuotePending, to, s.Now().UTC()); err != nil {
			return err
		}
		return s.answerQuote(ctx, tx, org, *q, approve)
	})
	if err != nil {
		return err
	}
	s.invalidate()
	return nil
}

// answerQuote stores our Accept or Reject of q's request and queues it to
// the asker's inbox.
func (s *Service) answerQuote(ctx context.Context, tx store.Tx, org *newsroom.Organisation, q newsroom.Quote, accept bool) error {
	id := s.newID()
	doc, err := s.convert.AnswerQuote(org, id, q, accept)
	if err != nil {
		return err
	}
	return SendDirect(ctx, tx, org.ID, id, doc, q.Inbox, s.Now().UTC())
}

// SendDirect stores doc as our activity id and queues it to one inbox,
// in tx: the answers to quotes and their revocation.
func SendDirect(ctx context.Context, tx store.Tx, orgID int64, id string, doc map[string]any, inbox string, now time.Time) error {
	body, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("activity %s: %w", id, err)
	}
	typ, _ := doc["type"].(string)
	if err := tx.CreateActivity(ctx, &newsroom.Activity{ID: id, OrgID: orgID, Type: typ, JSON: body, CreatedAt: now}); err != nil {
		return fmt.Errorf("store %s %s: %w", typ, id, err)
	}
	return tx.Enqueue(ctx, jobs.DirectArgs{ActivityID: id, Inbox: inbox})
}

// RevokeQuotes, in the transaction that deletes post, withdraws every
// authorization to quote it (a Delete of each QuoteAuthorization to the
// quoting server, whose id then answers 410) and refuses the requests
// still waiting for an editor.
func (s *Service) RevokeQuotes(ctx context.Context, tx store.Tx, org *newsroom.Organisation, post *newsroom.Post) error {
	now := s.Now().UTC()
	for _, from := range []newsroom.QuoteStatus{newsroom.QuoteApproved, newsroom.QuotePending} {
		for {
			// Each decided quote leaves the status listed, so the first
			// page is read until it is empty.
			qs, err := tx.ListQuotes(ctx, 0, post.ID, from, 0, 100)
			if err != nil {
				return err
			}
			if len(qs) == 0 {
				break
			}
			for _, q := range qs {
				to := newsroom.QuoteRevoked
				if from == newsroom.QuotePending {
					to = newsroom.QuoteRejected
				}
				if err := tx.DecideQuote(ctx, q.ID, from, to, now); err != nil {
					return err
				}
				if from == newsroom.QuotePending {
					if err := s.answerQuote(ctx, tx, org, q, false); err != nil {
						return err
					}
					continue
				}
				id := s.newID()
				doc, err := s.convert.RevokeQuote(org, id, q)
				if err != nil {
					return err
				}
				if err := SendDirect(ctx, tx, org.ID, id, doc, q.Inbox, now); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// mayReply reports whether the reply policy of post lets actorID reply.
// A reply it does not is kept hidden, where an editor can still find and
// approve it, rather than dropped: other servers that ignore policies
// show it anyway, and the editor should know it exists.
func (s *Service) mayReply(ctx context.Context, tx store.Tx, postID, actorID string) (bool, error) {
	post, err := tx.PostByID(ctx, postID)
	if err != nil {
		return false, err
	}
	org, err := tx.OrgByID(ctx, post.OrgID)
	if err != nil {
		return false, err
	}
	switch newsroom.EffectivePolicy(org, post).Reply {
	case newsroom.ApprovalNobody:
		return false, nil
	case newsroom.ApprovalFollowers:
		return tx.IsFollower(ctx, org.ID, actorID)
	}
	return true, nil
}
