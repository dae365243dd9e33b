package transport

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// signatureBase builds the signature base of RFC 9421 section 2.5: one
// line per covered component, in the signer's order, then the
// @signature-params line. Every value is derived from r as received.
func signatureBase(r *http.Request, ms *MessageSignature) ([]byte, error) {
	var b strings.Builder
	for _, c := range ms.Components {
		v, err := componentValue(r, c)
		if err != nil {
			return nil, err
		}
		if strings.ContainsAny(v, "\r\n") {
			return nil, fmt.Errorf("component %s has a line break", c.id)
		}
		b.WriteString(c.id)
		b.WriteString(": ")
		b.WriteString(v)
		b.WriteByte('\n')
	}
	b.WriteString(`"@signature-params": `)
	b.WriteString(ms.params)
	return []byte(b.String()), nil
}

// componentValue derives one component's value from r (RFC 9421 sections
// 2.1 and 2.2).
func componentValue(r *http.Request, c Component) (string, error) {
	target := requestTarget(r)
	path, query, _ := strings.Cut(target, "?")
	if path == "" {
		path = "/"
	}
	switch c.Name {
	case "@method":
		return r.Method, nil
	case "@scheme":
		return requestScheme(r), nil
	case "@authority":
		return requestAuthority(r), nil
	case "@target-uri":
		return requestScheme(r) + "://" + requestAuthority(r) + target, nil
	case "@request-target":
		return target, nil
	case "@path":
		return path, nil
	case "@query":
		return "?" + query, nil
	case "@query-param":
		return queryParam(query, c.Param)
	case "host":
		return requestHost(r), nil
	}
	lines := r.Header.Values(c.Name)
	if len(lines) == 0 {
		return "", fmt.Errorf("covered field %s is not in the request", c.Name)
	}
	for i, l := range lines {
		lines[i] = strings.Trim(l, " \t")
	}
	return strings.Join(lines, ", "), nil
}

// requestScheme is the scheme the client used: the URL's when set (the
// inbox sets it from our base URL, since a proxy in front of us ends
// TLS), else what the connection says.
func requestScheme(r *http.Request) string {
	if r.URL != nil && r.URL.Scheme != "" {
		return strings.ToLower(r.URL.Scheme)
	}
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// requestAuthority is the Host of r normalised as RFC 9421 section 2.2.3
// asks: lowercase, without the scheme's default port.
func requestAuthority(r *http.Request) string {
	a := strings.ToLower(requestHost(r))
	switch requestScheme(r) {
	case "https":
		a = strings.TrimSuffix(a, ":443")
	case "http":
		a = strings.TrimSuffix(a, ":80")
	}
	return a
}

// queryParam is the value of the query parameter name (itself encoded as
// in the component's name parameter), decoded and encoded again as
// RFC 9421 section 2.2.8 asks. A parameter absent or repeated cannot be
// signed over.
func queryParam(rawQuery, name string) (string, error) {
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", fmt.Errorf("query: %w", err)
	}
	key, err := url.QueryUnescape(name)
	if err != nil {
		return "", fmt.Errorf("@query-param name: %w", err)
	}
	v := values[key]
	if len(v) != 1 {
		return "", errors.New("@query-param names a parameter absent or repeated")
	}
	return url.QueryEscape(v[0]), nil
}
