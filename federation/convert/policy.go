package convert

import (
	"fmt"

	"github.com/go-fed/activity/streams"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/internal/newsroom"
)

// Namespaces of interaction policies and quotes, as Mastodon 4.5 and
// GoToSocial 0.20 write them.
const (
	gtsNS  = "https://gotosocial.org/ns#"
	fep44f = "https://w3id.org/fep/044f#"
)

// addPolicyTerms declares the terms of interactionPolicy (GoToSocial's,
// which Mastodon reuses for canQuote) and of FEP-044f quotes. Mastodon's
// context (app/lib/activitypub/adapter.rb) and GoToSocial's
// (https://gotosocial.org/ns) agree on these ids.
func addPolicyTerms(terms map[string]any) {
	iri := func(id string) map[string]any { return map[string]any{"@id": id, "@type": "@id"} }
	terms["gts"] = gtsNS
	terms["interactionPolicy"] = iri("gts:interactionPolicy")
	terms["canQuote"] = iri("gts:canQuote")
	terms["canReply"] = iri("gts:canReply")
	terms["canLike"] = iri("gts:canLike")
	terms["canAnnounce"] = iri("gts:canAnnounce")
	terms["automaticApproval"] = iri("gts:automaticApproval")
	terms["manualApproval"] = iri("gts:manualApproval")
	terms["always"] = iri("gts:always")
	terms["approvalRequired"] = iri("gts:approvalRequired")
	terms["interactingObject"] = map[string]any{"@id": "gts:interactingObject"}
	terms["interactionTarget"] = map[string]any{"@id": "gts:interactionTarget"}
	terms["QuoteRequest"] = fep44f + "QuoteRequest"
	terms["QuoteAuthorization"] = fep44f + "QuoteAuthorization"
	terms["quoteAuthorization"] = iri(fep44f + "quoteAuthorization")
}

// quoteContext is ap.Context with the policy and quote terms, for the
// documents of quotes: the authorization and our answers.
func quoteContext() []any {
	c := ap.Context()
	for _, v := range c {
		if terms, ok := v.(map[string]any); ok {
			addPolicyTerms(terms)
		}
	}
	return c
}

// approvalLists turns one choice into who is approved automatically and
// who waits for an editor. The organisation itself is always allowed, as
// GoToSocial expects the author to be, and "nobody" is the author alone,
// the way both servers write it.
func (c *Converter) approvalLists(org *newsroom.Organisation, a newsroom.Approval) (automatic, manual []string) {
	self := c.urls.Org(org.Handle)
	switch a {
	case newsroom.ApprovalAnyone:
		return []string{ap.Public}, nil
	case newsroom.ApprovalFollowers:
		return []string{c.urls.OrgFollowers(org.Handle), self}, nil
	case newsroom.ApprovalManual:
		return []string{self}, []string{ap.Public}
	default:
		return []string{self}, nil
	}
}

// interactionPolicy is the post's policy in Mastodon's and GoToSocial's
// words: canQuote for Mastodon 4.5 (automaticApproval/manualApproval
// only), canReply, canLike and canAnnounce for GoToSocial, which reads
// the 0.20 names and, before 0.20, always/approvalRequired: both are
// written. Setting all four tells those servers we enforce them.
func (c *Converter) interactionPolicy(org *newsroom.Organisation, p *newsroom.Post) map[string]any {
	pol := newsroom.EffectivePolicy(org, p)
	sub := func(a newsroom.Approval, legacy bool) map[string]any {
		auto, manual := c.approvalLists(org, a)
		m := map[string]any{"automaticApproval": auto}
		if legacy {
			m["always"] = auto
		}
		if len(manual) > 0 {
			m["manualApproval"] = manual
			if legacy {
				m["approvalRequired"] = manual
			}
		}
		return m
	}
	return map[string]any{
		"canQuote":    sub(pol.Quote, false),
		"canReply":    sub(pol.Reply, true),
		"canLike":     sub(pol.Like, true),
		"canAnnounce": sub(pol.Announce, true),
	}
}

// QuoteAuthorization is our consent to q, served at its id: Mastodon
// fetches it and checks that attributedTo is the quoted post's author,
// interactionTarget the quoted post and interactingObject the quoting
// one. go-fed has no such type, so it is a plain map.
func (c *Converter) QuoteAuthorization(org *newsroom.Organisation, q newsroom.Quote) map[string]any {
	return map[string]any{
		"@context":          quoteContext(),
		"id":                c.urls.QuoteAuthorization(org.Handle, q.ID),
		"type":              "QuoteAuthorization",
		"attributedTo":      c.urls.Org(org.Handle),
		"interactionTarget": c.urls.Post(org.Handle, q.PostID),
		"interactingObject": q.ObjectID,
	}
}

// AnswerQuote is the Accept (with the authorization's id as result) or
// the Reject of q's QuoteRequest, with id urls.Activity(id), addressed to
// the one who asked. The request is embedded, id included, as Mastodon
// sends it: Mastodon finds the quote by that id. QuoteRequest is not in
// go-fed's vocabulary, so it goes in after serialising.
func (c *Converter) AnswerQuote(org *newsroom.Organisation, id string, q newsroom.Quote, accept bool) (map[string]any, error) {
	var ip ap.IRIParser
	var (
		a    answer
		what = "reject"
	)
	if accept {
		acc := streams.NewActivityStreamsAccept()
		result := streams.NewActivityStreamsResultProperty()
		result.AppendIRI(ip.Parse(c.urls.QuoteAuthorization(org.Handle, q.ID)))
		acc.SetActivityStreamsResult(result)
		a, what = acc, "accept"
	} else {
		a = streams.NewActivityStreamsReject()
	}
	c.head(a, id, org, &ip)
	object := streams.NewActivityStreamsObjectProperty()
	object.AppendIRI(ip.Parse(q.RequestID))
	a.SetActivityStreamsObject(object)
	to := streams.NewActivityStreamsToProperty()
	to.AppendIRI(ip.Parse(q.ActorID))
	a.(addressed).SetActivityStreamsTo(to)
	if ip.Err != nil {
		return nil, fmt.Errorf("%s of quote %s: %w", what, q.ID, ip.Err)
	}
	m, err := ap.Serialize(a)
	if err != nil {
		return nil, err
	}
	m["@context"] = quoteContext()
	m["object"] = map[string]any{
		"id":         q.RequestID,
		"type":       "QuoteRequest",
		"actor":      q.ActorID,
		"object":     c.urls.Post(org.Handle, q.PostID),
		"instrument": q.ObjectID,
	}
	return m, nil
}

// RevokeQuote withdraws an authorization we gave: a Delete of the
// QuoteAuthorization, which Mastodon takes as the end of the quote.
func (c *Converter) RevokeQuote(org *newsroom.Organisation, id string, q newsroom.Quote) (map[string]any, error) {
	var ip ap.IRIParser
	d := streams.NewActivityStreamsDelete()
	c.head(d, id, org, &ip)
	object := streams.NewActivityStreamsObjectProperty()
	object.AppendIRI(ip.Parse(c.urls.QuoteAuthorization(org.Handle, q.ID)))
	d.SetActivityStreamsObject(object)
	to := streams.NewActivityStreamsToProperty()
	to.AppendIRI(ip.Parse(q.ActorID))
	d.SetActivityStreamsTo(to)
	if ip.Err != nil {
		return nil, fmt.Errorf("revoke quote %s: %w", q.ID, ip.Err)
	}
	m, err := ap.Serialize(d)
	if err != nil {
		return nil, err
	}
	m["@context"] = quoteContext()
	m["object"] = map[string]any{"id": c.urls.QuoteAuthorization(org.Handle, q.ID), "type": "QuoteAuthorization"}
	return m, nil
}
