package store

import (
	"net/url"
	"strings"
)

// UnavailableAfterDays is how many distinct UTC days of failed deliveries
// make a domain unavailable.
const UnavailableAfterDays = 7

// NormaliseHost lowercases a host and drops a trailing dot, as domain
// blocks and domain health compare them.
func NormaliseHost(host string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
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
