package store

import (
	"net"
	"net/url"
	"strings"

	"golang.org/x/net/idna"
)

// UnavailableAfterDays is how many distinct UTC days of failed deliveries
// make a domain unavailable.
const UnavailableAfterDays = 7

// NormaliseHost lowercases a host, drops a trailing dot and writes an
// internationalised name in punycode, as domain blocks and domain health
// compare them: a block typed as "exämple.org" must match the
// "xn--exmple-cua.org" that requests carry.
func NormaliseHost(host string) string {
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	if ascii, err := idna.Lookup.ToASCII(h); err == nil && ascii != "" {
		return ascii
	}
	return h
}

// InboxHost is the host (with its port, if any) that domain health tracks
// for deliveries to inbox; "" when inbox is not a URL.
func InboxHost(inbox string) string {
	u, err := url.Parse(inbox)
	if err != nil {
		return ""
	}
	return NormaliseHost(u.Host)
}

// StripPort returns host without its ":port", if it has one.
func StripPort(host string) string {
	if name, _, err := net.SplitHostPort(host); err == nil && name != "" {
		return name
	}
	return host
}
