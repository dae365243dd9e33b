package editor

import (
	"net/http"
	"strings"

	"github.com/soga/newsroom/internal/newsroom"
)

// policyForm is who may quote, reply, like and boost, as the organisation
// and post forms send it: one select per interaction, named policy_*
// like the fields of the services' validation errors.
type policyForm struct{ Quote, Reply, Like, Announce string }

func policyFormFrom(p newsroom.InteractionPolicy) policyForm {
	return policyForm{Quote: string(p.Quote), Reply: string(p.Reply), Like: string(p.Like), Announce: string(p.Announce)}
}

func parsePolicyForm(r *http.Request) policyForm {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	return policyForm{Quote: v("policy_quote"), Reply: v("policy_reply"), Like: v("policy_like"), Announce: v("policy_announce")}
}

func (f policyForm) policy() newsroom.InteractionPolicy {
	return newsroom.InteractionPolicy{Quote: newsroom.Approval(f.Quote), Reply: newsroom.Approval(f.Reply),
		Like: newsroom.Approval(f.Like), Announce: newsroom.Approval(f.Announce)}
}

// policySelect is one select of the policy fieldset.
type policySelect struct {
	Name, Label, Value string
	// Inherited is the organisation's choice, offered first on a post's
	// form as "as the organisation"; "" on the organisation's own form.
	Inherited string
}

// policyView is what the policy_fields template shows.
type policyView struct {
	Legend  string // catalogue key
	Selects []policySelect
	Choices []newsroom.Approval
}

// newPolicyView lays out f; org is the organisation whose defaults a
// post's form offers, nil on the organisation's form.
func newPolicyView(f policyForm, org *newsroom.Organisation) policyView {
	var def newsroom.InteractionPolicy
	legend := "policy.legend"
	if org != nil {
		legend = "policy.legend.post"
		def = org.Policy.Over(newsroom.DefaultPolicy)
	} else if f == (policyForm{}) {
		f = policyFormFrom(newsroom.DefaultPolicy)
	}
	return policyView{Legend: legend, Choices: newsroom.Approvals, Selects: []policySelect{
		{"policy_quote", "policy.quote", f.Quote, string(def.Quote)},
		{"policy_reply", "policy.reply", f.Reply, string(def.Reply)},
		{"policy_like", "policy.like", f.Like, string(def.Like)},
		{"policy_announce", "policy.announce", f.Announce, string(def.Announce)},
	}}
}

// policyFields are the fields of both forms, in their order.
var policyFields = []formField{{"policy_quote", "policy.quote", ""}, {"policy_reply", "policy.reply", ""},
	{"policy_like", "policy.like", ""}, {"policy_announce", "policy.announce", ""}}
