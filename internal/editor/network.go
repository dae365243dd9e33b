package editor

import (
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/soga/newsroom/internal/network"
	"github.com/soga/newsroom/internal/newsroom"
)

type networkForm struct {
	Account, Tags, Langs   string
	Review, AllowSensitive bool
}

type networkPage struct {
	Org      *newsroom.Organisation
	Form     networkForm
	Accounts []newsroom.NetworkAccount
	Queue    []boostView
}

// boostView is a member's post waiting for review, its HTML cleaned once
// more for display, as replies are.
type boostView struct {
	newsroom.Boost
	Content template.HTML
}

// Network lists the members' accounts an organisation follows, with
// their state and rules, and the posts waiting for review; its form adds
// one more account, which sends our Follow.
func (h *Handler) Network(w http.ResponseWriter, r *http.Request) {
	org, err := h.orgFor(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var form networkForm
	var v newsroom.ValidationError
	if r.Method == http.MethodPost {
		form = networkForm{Account: strings.TrimSpace(r.PostFormValue("account")), Tags: r.PostFormValue("tags"),
			Langs: r.PostFormValue("langs"), Review: r.PostFormValue("review") == "1",
			AllowSensitive: r.PostFormValue("allow_sensitive") == "1"}
		err := h.addNetworkAccount(r, org, form)
		if err == nil {
			redirect(w, r, "/admin/orgs/"+org.Handle+"/network", "following")
			return
		}
		switch {
		case form.Account == "":
			v.Add("account", "required")
		case errors.Is(err, network.ErrUnresolved):
			h.log.Info("network account not found", "account", form.Account, "err", err)
			v.Add("account", "network.unresolved")
		case !mergeErrors(&v, err):
			h.fail(w, r, err)
			return
		}
	}
	accounts, err := h.network.List(r.Context(), org)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	queue, err := h.network.Queue(r.Context(), org)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	p := h.page(r, "network.title")
	p.Errors = v.Fields
	data := networkPage{Org: org, Form: form, Accounts: accounts}
	for _, b := range queue {
		data.Queue = append(data.Queue, boostView{Boost: b, Content: template.HTML(h.replyPolicy.Sanitize(b.ContentHTML))})
	}
	p.Data = data
	h.render(w, r, formStatus(r, &v), "admin_network", p)
}

func (h *Handler) addNetworkAccount(r *http.Request, org *newsroom.Organisation, f networkForm) error {
	if f.Account == "" {
		return errors.New("no account")
	}
	_, err := h.network.Add(r.Context(), org, f.Account, network.Rules{Tags: splitList(f.Tags), Langs: splitList(f.Langs),
		Review: f.Review, AllowSensitive: f.AllowSensitive})
	return err
}

// splitList reads words typed with spaces or commas between them.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}
