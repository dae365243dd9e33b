package transport

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dunglas/httpsfv"
)

// The algorithms of RFC 9421 we verify. Mastodon signs and verifies
// rsa-v1_5-sha256 alone; the other two cost a few lines each.
const (
	AlgRSAv15SHA256 = "rsa-v1_5-sha256"
	AlgRSAPSSSHA512 = "rsa-pss-sha512"
	AlgEd25519      = "ed25519"
)

// Bounds on the RFC 9421 fields. A Mastodon-shaped signature is one label
// over three components, about 500 bytes in all.
const (
	maxMessageFieldBytes = 16 << 10 // Signature-Input or Signature, all lines
	maxMessageSignatures = 8
	maxComponents        = 32
)

// Derived components we can compute on a request (RFC 9421 section 2.2).
// @status belongs to responses; @signature-params is never a component.
var derivedComponents = map[string]bool{
	"@method": true, "@target-uri": true, "@authority": true, "@scheme": true,
	"@request-target": true, "@path": true, "@query": true, "@query-param": true,
}

// MessageSignature is one RFC 9421 signature of a request: a label of
// Signature-Input and the byte sequence of Signature under the same label.
type MessageSignature struct {
	Label      string
	Components []Component
	KeyID      string
	// Alg is the alg parameter, "" when absent: the key's type decides.
	Alg string
	// Created and Expires are the parameters of the same name, 0 when
	// absent.
	Created, Expires int64
	Signature        []byte

	// params is the signature's inner list serialised, the value of the
	// @signature-params line that ends the signature base.
	params string
	// base is the signature base, built by CheckRequest from the request.
	base []byte
}

// Component is one covered component: a derived component ("@method") or
// a header field ("content-digest"), lowercase.
type Component struct {
	Name string
	// Param is the name parameter of @query-param, "" otherwise.
	Param string
	// id is the component identifier serialised, as it starts its line of
	// the signature base.
	id string
}

// Covers reports whether s covers the component name.
func (s *MessageSignature) Covers(name string) bool {
	for _, c := range s.Components {
		if c.Name == name {
			return true
		}
	}
	return false
}

// ParseMessageSignatures reads the Signature-Input and Signature field
// lines of a request (RFC 9421 section 4), both RFC 8941 dictionaries, and
// returns every signature named in Signature-Input, in its order. A label
// whose signature is missing, or that is not of the shape RFC 9421
// requires, makes the whole parse fail: a sender that writes one broken
// signature is not trusted to write the others right.
func ParseMessageSignatures(input, signature []string) ([]MessageSignature, error) {
	if fieldBytes(input) > maxMessageFieldBytes || fieldBytes(signature) > maxMessageFieldBytes {
		return nil, errors.New("signature fields too long")
	}
	in, err := httpsfv.UnmarshalDictionary(input)
	if err != nil {
		return nil, fmt.Errorf("Signature-Input: %w", err)
	}
	sigs, err := httpsfv.UnmarshalDictionary(signature)
	if err != nil {
		return nil, fmt.Errorf("Signature: %w", err)
	}
	labels := in.Names()
	if len(labels) == 0 {
		return nil, errors.New("Signature-Input names no signature")
	}
	if len(labels) > maxMessageSignatures {
		return nil, errors.New("too many signatures")
	}
	out := make([]MessageSignature, 0, len(labels))
	for _, label := range labels {
		m, _ := in.Get(label)
		s, ok := sigs.Get(label)
		if !ok {
			return nil, fmt.Errorf("signature %q: no value in Signature", label)
		}
		ms, err := parseMessageSignature(label, m, s)
		if err != nil {
			return nil, fmt.Errorf("signature %q: %w", label, err)
		}
		out = append(out, ms)
	}
	return out, nil
}

func fieldBytes(lines []string) int {
	n := 0
	for _, l := range lines {
		n += len(l) + 2
	}
	return n
}

func parseMessageSignature(label string, input, sig httpsfv.Member) (MessageSignature, error) {
	ms := MessageSignature{Label: label}
	list, ok := input.(httpsfv.InnerList)
	if !ok {
		return ms, errors.New("input is not an inner list")
	}
	item, ok := sig.(httpsfv.Item)
	if !ok {
		return ms, errors.New("signature is not an item")
	}
	raw, ok := item.Value.([]byte)
	if !ok {
		return ms, errors.New("signature is not a byte sequence")
	}
	if len(raw) == 0 || len(raw) > maxSignatureBytes {
		return ms, errors.New("signature of a wrong length")
	}
	ms.Signature = raw

	if len(list.Items) > maxComponents {
		return ms, errors.New("too many components")
	}
	seen := map[string]bool{}
	for _, it := range list.Items {
		c, err := parseComponent(it)
		if err != nil {
			return ms, err
		}
		if seen[c.id] {
			return ms, fmt.Errorf("component %s listed twice", c.id)
		}
		seen[c.id] = true
		ms.Components = append(ms.Components, c)
	}
	if err := readSignatureParams(&ms, list.Params); err != nil {
		return ms, err
	}
	params, err := httpsfv.Marshal(httpsfv.List{list})
	if err != nil {
		return ms, fmt.Errorf("signature parameters: %w", err)
	}
	ms.params = params
	return ms, nil
}

// parseComponent reads one component identifier. Header fields may carry
// none of the parameters of RFC 9421 section 2.1 (sf, key, bs, req, tr):
// no fediverse server signs with them, and each is a way to sign over
// something other than the field as sent.
func parseComponent(it httpsfv.Item) (Component, error) {
	name, ok := it.Value.(string)
	if !ok {
		return Component{}, errors.New("component identifier is not a string")
	}
	c := Component{Name: name}
	if strings.HasPrefix(name, "@") {
		if !derivedComponents[name] {
			return c, fmt.Errorf("unsupported derived component %q", name)
		}
	} else if err := checkFieldName(name); err != nil {
		return c, err
	}
	params := it.Params.Names()
	switch {
	case name == "@query-param":
		v, _ := it.Params.Get("name")
		s, ok := v.(string)
		if len(params) != 1 || !ok {
			return c, errors.New("@query-param needs exactly a name parameter")
		}
		c.Param = s
	case len(params) != 0:
		return c, fmt.Errorf("unsupported parameter on component %q", name)
	}
	id, err := httpsfv.Marshal(httpsfv.List{it})
	if err != nil {
		return c, fmt.Errorf("component %q: %w", name, err)
	}
	c.id = id
	return c, nil
}

// checkFieldName accepts a lowercase field name, as RFC 9421 requires
// component names to be.
func checkFieldName(name string) error {
	if name == "" {
		return errors.New("empty component name")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isTokenChar(c) || ('A' <= c && c <= 'Z') {
			return fmt.Errorf("bad component name %q", name)
		}
	}
	return nil
}

// readSignatureParams reads the parameters of RFC 9421 section 2.3 that
// we use; nonce and tag are signed over but play no part here, and
// unknown parameters are ignored, as the RFC allows.
func readSignatureParams(ms *MessageSignature, p *httpsfv.Params) error {
	for _, name := range p.Names() {
		v, _ := p.Get(name)
		var ok bool
		switch name {
		case "keyid":
			ms.KeyID, ok = v.(string)
		case "alg":
			ms.Alg, ok = v.(string)
		case "created":
			ms.Created, ok = v.(int64)
			ok = ok && ms.Created > 0
		case "expires":
			ms.Expires, ok = v.(int64)
			ok = ok && ms.Expires > 0
		default:
			ok = true
		}
		if !ok {
			return fmt.Errorf("parameter %s of a wrong type", name)
		}
	}
	if ms.KeyID == "" {
		return errors.New("missing keyid")
	}
	return validKeyID(ms.KeyID)
}
