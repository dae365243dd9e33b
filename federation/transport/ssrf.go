package transport

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// ErrForbiddenAddress is matched (errors.Is) by every refusal to connect to
// an address outside the public internet. Callers use it to tell "we will
// never fetch this" from a network failure worth retrying.
var ErrForbiddenAddress = errors.New("address not allowed")

// AddressError explains which address was refused and why.
type AddressError struct {
	Addr   string
	Reason string
}

func (e *AddressError) Error() string {
	return fmt.Sprintf("address %s not allowed: %s", e.Addr, e.Reason)
}

// Is makes errors.Is(err, ErrForbiddenAddress) true.
func (e *AddressError) Is(target error) bool { return target == ErrForbiddenAddress }

// reservedNets lists the ranges that are not the public internet. Some of
// them are also caught by netip's predicates; listing them here keeps the
// table complete on its own. IPv4-mapped IPv6 addresses are unmapped and
// checked as IPv4 before this table is consulted.
var reservedNets = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "this network"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
	{netip.MustParsePrefix("192.88.99.0/24"), "6to4 relay anycast"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"}, // includes 255.255.255.255
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("::/96"), "IPv4-compatible or unspecified"}, // includes ::, ::1, ::a.b.c.d
	{netip.MustParsePrefix("64:ff9b::/96"), "NAT64"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local NAT64"},
	{netip.MustParsePrefix("100::/64"), "discard"},
	{netip.MustParsePrefix("2001::/23"), "IETF protocol assignments"}, // includes Teredo
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("2002::/16"), "6to4"}, // embeds an IPv4 address
	{netip.MustParsePrefix("3fff::/20"), "documentation"},
	{netip.MustParsePrefix("5f00::/16"), "segment routing"},
	{netip.MustParsePrefix("fc00::/7"), "unique local"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

// checkAddr refuses a not-public address unless an allowed prefix contains it.
func checkAddr(a netip.Addr, allowed []netip.Prefix) error {
	if !a.IsValid() {
		return &AddressError{Addr: "invalid", Reason: "invalid address"}
	}
	a = a.WithZone("")
	// An IPv4-mapped address (::ffff:a.b.c.d) reaches the IPv4 host: judge
	// that host.
	if a.Is4In6() {
		a = a.Unmap()
	}
	for _, p := range allowed {
		if p.Contains(a) {
			return nil
		}
	}
	for _, r := range reservedNets {
		if r.prefix.Contains(a) {
			return &AddressError{Addr: a.String(), Reason: r.reason}
		}
	}
	// Belt and braces for anything the table might miss.
	switch {
	case a.IsUnspecified(), a.IsLoopback(), a.IsPrivate(), a.IsMulticast(),
		a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast():
		return &AddressError{Addr: a.String(), Reason: "not a public address"}
	}
	return nil
}

// control is the dialer's Control hook: it runs after name resolution, on
// the exact address the socket is about to connect to, so neither a DNS
// answer that changes between check and use nor a redirect can slip past it.
func control(allowed []netip.Prefix) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		switch network {
		case "tcp", "tcp4", "tcp6":
		default:
			return &AddressError{Addr: address, Reason: "network " + network}
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return &AddressError{Addr: address, Reason: "unparsable address"}
		}
		return checkAddr(ap.Addr(), allowed)
	}
}

// checkURL refuses URLs we never request, before any network work.
func checkURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return &AddressError{Addr: u.Redacted(), Reason: "scheme must be http or https"}
	}
	host := u.Hostname()
	if host == "" {
		return &AddressError{Addr: u.Redacted(), Reason: "no host"}
	}
	if looksNumeric(host) {
		if _, err := netip.ParseAddr(host); err != nil {
			return &AddressError{Addr: host, Reason: "ambiguous numeric host"}
		}
	}
	return nil
}

// looksNumeric reports whether a browser (WHATWG URL) or the C resolver's
// inet_aton would read host as an IPv4 address: its last label is decimal,
// octal or 0x-hex digits. Forms such as 0x7f000001, 2130706433 or 0177.1 are
// refused outright rather than left to whichever resolver runs.
func looksNumeric(host string) bool {
	host = strings.TrimSuffix(host, ".")
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return false
	}
	l := strings.ToLower(last)
	if strings.HasPrefix(l, "0x") {
		l = l[2:]
		return strings.Trim(l, "0123456789abcdef") == ""
	}
	return strings.Trim(l, "0123456789") == ""
}
