package transport

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Bounds on a Signature header. A real one is about 600 bytes; these leave
// room for RSA-8192 and long key ids while keeping parsing work small.
const (
	maxSignatureHeader = 8 << 10
	maxSignatureParams = 16
	maxSignedHeaders   = 32
	maxKeyIDLen        = 2048
	maxSignatureBytes  = 1024 // an RSA-8192 signature
)

// SignatureParams is a parsed draft-cavage Signature header, or the
// signature CheckRequest chose of an RFC 9421 request.
type SignatureParams struct {
	KeyID string
	// Algorithm is lowercased; "" when the parameter is absent.
	Algorithm string
	// Headers is the lowercased list of signed headers; nil when the
	// parameter is absent (the draft then means "date" alone, which we
	// refuse).
	Headers []string
	// Signature is the decoded signature.
	Signature []byte
	// Created and Expires are the (created) and (expires) parameters, 0
	// when absent.
	Created, Expires int64

	// message is set when the request was signed the RFC 9421 way; the
	// fields above then repeat the chosen signature's.
	message *MessageSignature
}

// ParseSignatureHeader parses the value of a Signature header: a
// comma-separated list of name="value" parameters. It is strict where a
// loose reading could let two parsers see different signatures: duplicate
// parameters, stray text and oversized input are errors. Unknown
// parameters are ignored, as the draft says.
func ParseSignatureHeader(h string) (SignatureParams, error) {
	var p SignatureParams
	if len(h) > maxSignatureHeader {
		return p, errors.New("signature header too long")
	}
	seen := map[string]bool{}
	var sig string
	rest := h
	for n := 0; ; n++ {
		if n >= maxSignatureParams {
			return p, errors.New("too many signature parameters")
		}
		var name, value string
		var err error
		name, value, rest, err = nextParam(rest)
		if err != nil {
			return p, err
		}
		if seen[name] {
			return p, fmt.Errorf("duplicate parameter %q", name)
		}
		seen[name] = true
		switch name {
		case "keyid":
			p.KeyID = value
		case "algorithm":
			p.Algorithm, err = parseToken(value)
		case "headers":
			p.Headers, err = parseHeaderList(value)
		case "signature":
			sig = value
		case "created":
			p.Created, err = parseUnix(value)
		case "expires":
			p.Expires, err = parseUnix(value)
		}
		if err != nil {
			return p, fmt.Errorf("parameter %s: %w", name, err)
		}
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			break
		}
		if rest[0] != ',' {
			return p, errors.New("expected comma between parameters")
		}
		rest = rest[1:]
	}
	if p.KeyID == "" {
		return p, errors.New("missing keyId")
	}
	if err := validKeyID(p.KeyID); err != nil {
		return p, err
	}
	if sig == "" {
		return p, errors.New("missing signature")
	}
	if base64.StdEncoding.DecodedLen(len(sig)) > maxSignatureBytes+3 {
		return p, errors.New("signature too long")
	}
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return p, errors.New("signature is not base64")
	}
	p.Signature = raw
	return p, nil
}

// nextParam reads one name=value parameter from the start of s, the value
// a quoted string (backslash escapes allowed) or a bare token. Parameter
// names are case-insensitive and returned lowercased.
func nextParam(s string) (name, value, rest string, err error) {
	s = strings.TrimLeft(s, " \t")
	i := 0
	for i < len(s) && isTokenChar(s[i]) {
		i++
	}
	if i == 0 {
		return "", "", "", errors.New("expected parameter name")
	}
	name = strings.ToLower(s[:i])
	s = strings.TrimLeft(s[i:], " \t")
	if s == "" || s[0] != '=' {
		return "", "", "", fmt.Errorf("parameter %q without value", name)
	}
	s = strings.TrimLeft(s[1:], " \t")
	if s != "" && s[0] == '"' {
		var b strings.Builder
		for j := 1; j < len(s); j++ {
			c := s[j]
			switch {
			case c == '"':
				return name, b.String(), s[j+1:], nil
			case c == '\\' && j+1 < len(s):
				j++
				b.WriteByte(s[j])
			case c < 0x20 || c == 0x7f:
				return "", "", "", fmt.Errorf("control character in parameter %q", name)
			default:
				b.WriteByte(c)
			}
		}
		return "", "", "", fmt.Errorf("unterminated value of parameter %q", name)
	}
	j := 0
	for j < len(s) && isTokenChar(s[j]) {
		j++
	}
	if j == 0 {
		return "", "", "", fmt.Errorf("parameter %q without value", name)
	}
	return name, s[:j], s[j:], nil
}

// parseHeaderList splits the headers parameter, refusing names that are
// neither header field names nor the draft's pseudo-headers.
func parseHeaderList(v string) ([]string, error) {
	fields := strings.Fields(strings.ToLower(v))
	if len(fields) == 0 {
		return nil, errors.New("empty header list")
	}
	if len(fields) > maxSignedHeaders {
		return nil, errors.New("too many signed headers")
	}
	for _, f := range fields {
		switch f {
		case "(request-target)", "(created)", "(expires)":
			continue
		}
		for i := 0; i < len(f); i++ {
			if !isTokenChar(f[i]) {
				return nil, fmt.Errorf("bad header name %q", f)
			}
		}
	}
	return fields, nil
}

func parseToken(v string) (string, error) {
	for i := 0; i < len(v); i++ {
		if !isTokenChar(v[i]) {
			return "", errors.New("not a token")
		}
	}
	return strings.ToLower(v), nil
}

func parseUnix(v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, errors.New("not a positive integer")
	}
	return n, nil
}

// validKeyID refuses key ids that cannot be written back into a header or
// that are absurdly long.
func validKeyID(id string) error {
	if len(id) > maxKeyIDLen {
		return errors.New("keyId too long")
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < 0x21 || c == 0x7f || c == '"' || c == '\\' {
			return errors.New("keyId has a forbidden character")
		}
	}
	return nil
}

// isTokenChar reports whether c may appear in an RFC 9110 token.
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// String formats p as a Signature header value, the way Mastodon does.
func (p SignatureParams) String() string {
	var b strings.Builder
	b.WriteString(`keyId="` + p.KeyID + `"`)
	if p.Algorithm != "" {
		b.WriteString(`,algorithm="` + p.Algorithm + `"`)
	}
	if p.Created != 0 {
		b.WriteString(",created=" + strconv.FormatInt(p.Created, 10))
	}
	if p.Expires != 0 {
		b.WriteString(",expires=" + strconv.FormatInt(p.Expires, 10))
	}
	if p.Headers != nil {
		b.WriteString(`,headers="` + strings.Join(p.Headers, " ") + `"`)
	}
	b.WriteString(`,signature="` + base64.StdEncoding.EncodeToString(p.Signature) + `"`)
	return b.String()
}
