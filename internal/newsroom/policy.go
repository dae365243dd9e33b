package newsroom

import "time"

// Approval says who may interact with a post in one way, and whether an
// editor decides first.
type Approval string

const (
	ApprovalDefault   Approval = ""          // a post's: the organisation's choice
	ApprovalAnyone    Approval = "anyone"    // anyone, approved automatically
	ApprovalFollowers Approval = "followers" // the organisation's followers, automatically
	ApprovalManual    Approval = "manual"    // anyone, once an editor approves
	ApprovalNobody    Approval = "nobody"    // nobody but the organisation
)

// Approvals lists the choices an editor has, in the order forms show them.
var Approvals = []Approval{ApprovalAnyone, ApprovalFollowers, ApprovalManual, ApprovalNobody}

// Valid reports whether a is one of Approvals.
func (a Approval) Valid() bool {
	for _, v := range Approvals {
		if a == v {
			return true
		}
	}
	return false
}

// InteractionPolicy is who may quote, reply to, like and boost a post:
// what Mastodon (canQuote) and GoToSocial (canReply, canLike,
// canAnnounce) read on the post and ask permission for.
type InteractionPolicy struct {
	Quote, Reply, Like, Announce Approval
}

// DefaultPolicy is a new organisation's: an association's news is meant
// to travel, so anyone may quote, reply, like and boost without waiting;
// a post that needs less is given its own policy.
var DefaultPolicy = InteractionPolicy{Quote: ApprovalAnyone, Reply: ApprovalAnyone, Like: ApprovalAnyone, Announce: ApprovalAnyone}

// Over returns p with each unset field taken from def.
func (p InteractionPolicy) Over(def InteractionPolicy) InteractionPolicy {
	pick := func(a, b Approval) Approval {
		if a == ApprovalDefault {
			return b
		}
		return a
	}
	return InteractionPolicy{Quote: pick(p.Quote, def.Quote), Reply: pick(p.Reply, def.Reply),
		Like: pick(p.Like, def.Like), Announce: pick(p.Announce, def.Announce)}
}

// fields pairs each interaction with its form field name.
func (p *InteractionPolicy) fields() []struct {
	name string
	a    *Approval
} {
	return []struct {
		name string
		a    *Approval
	}{{"policy_quote", &p.Quote}, {"policy_reply", &p.Reply}, {"policy_like", &p.Like}, {"policy_announce", &p.Announce}}
}

// Validate adds to v an error for each field that is not a choice; with
// unsetOK (a post's, an organisation's stored before policies) a field
// may also be unset.
func (p InteractionPolicy) Validate(v *ValidationError, unsetOK bool) {
	for _, f := range p.fields() {
		if !f.a.Valid() && !(unsetOK && *f.a == ApprovalDefault) {
			v.Add(f.name, "policy_invalid")
		}
	}
}

// EffectivePolicy is what applies to p: its own choices over its
// organisation's.
func EffectivePolicy(org *Organisation, p *Post) InteractionPolicy {
	return p.Policy.Over(org.Policy.Over(DefaultPolicy))
}

// QuoteStatus is where a request to quote one of our posts stands.
type QuoteStatus string

const (
	QuotePending  QuoteStatus = "pending"  // waiting for an editor
	QuoteApproved QuoteStatus = "approved" // authorised: the authorization is served
	QuoteRejected QuoteStatus = "rejected"
	QuoteRevoked  QuoteStatus = "revoked" // approved, then withdrawn (the post was deleted)
)

// Quote is another server's post quoting one of ours (FEP-044f), asked
// for by a QuoteRequest. Its ID is ours, and names the QuoteAuthorization
// once approved.
type Quote struct {
	ID          string
	RequestID   string // the QuoteRequest's id, which our Accept or Reject names
	PostID      string
	ActorID     string // the quoting post's author, who asked
	Inbox       string // where our answer goes
	ObjectID    string // the quoting post
	URL         string
	ContentHTML string // sanitised
	Status      QuoteStatus
	CreatedAt   time.Time
	DecidedAt   time.Time
}
