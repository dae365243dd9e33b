package newsroom

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // zones must load on hosts and images without tzdata
)

// SiteSettings are the association's identity and the site's time zone.
// The zero value is a site nobody configured: every page then looks as
// it did before the settings existed.
type SiteSettings struct {
	Name       string // "" = the translated default, "Newsroom"
	Tagline    string
	LogoID     string // media id; favicon and the instance actor's icon
	Accent     string // "#rrggbb", "" = the stylesheet's
	Website    string // the association's main website
	Footer     string // what the administrator wrote, Markdown or plain text
	FooterHTML string // Footer rendered and sanitised
	TimeZone   string // IANA name, "" = UTC
	UpdatedAt  time.Time
}

// Limits of the settings, in characters.
const (
	MaxSiteName    = 80
	MaxSiteTagline = 200
	MaxSiteFooter  = 2000
	MaxSiteWebsite = 2000
)

// MinAccentContrast is WCAG 2's AA level for normal text. The accent is
// link text on the white page and the background of white button text:
// both pairs are the accent against white, so one ratio decides.
const MinAccentContrast = 4.5

// Location is the site's zone, UTC when unset or unknown.
func (s SiteSettings) Location() *time.Location {
	if loc, ok := LoadZone(s.TimeZone); ok {
		return loc
	}
	return time.UTC
}

// LoadZone loads an IANA zone. "" and "Local" are refused: the server's
// own zone says nothing about where the association is. Zones are kept
// once loaded: time.LoadLocation reads the zone file on every call, and
// pages ask for the reader's zone each time.
func LoadZone(zone string) (*time.Location, bool) {
	if zone == "" || zone == "Local" {
		return nil, false
	}
	if loc, ok := zones.Load(zone); ok {
		return loc.(*time.Location), true
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, false
	}
	// Only names that load are kept: a few hundred at most.
	zones.Store(zone, loc)
	return loc, true
}

var zones sync.Map // zone name → *time.Location

// NormaliseWebsite accepts what people type for a website: "example.org"
// becomes "https://example.org/". It returns ok false for anything that
// is not an http(s) URL with a host.
func NormaliseWebsite(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		strings.ContainsAny(u.Host, " <>\"") || !strings.Contains(u.Hostname(), ".") && u.Hostname() != "localhost" {
		return "", false
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String(), true
}

// ParseColour reads "#rgb" or "#rrggbb" (the # optional) and returns it as
// "#rrggbb" in lower case.
func ParseColour(s string) (string, bool) {
	s = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "#"))
	if len(s) == 3 {
		s = string([]byte{s[0], s[0], s[1], s[1], s[2], s[2]})
	}
	if len(s) != 6 {
		return "", false
	}
	if _, err := strconv.ParseUint(s, 16, 32); err != nil {
		return "", false
	}
	return "#" + s, true
}

// ContrastRatio is WCAG 2's contrast ratio of two "#rrggbb" colours, from
// 1 (the same) to 21 (black on white).
func ContrastRatio(a, b string) (float64, error) {
	la, err := luminance(a)
	if err != nil {
		return 0, err
	}
	lb, err := luminance(b)
	if err != nil {
		return 0, err
	}
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05), nil
}

// luminance is WCAG 2's relative luminance of a "#rrggbb" colour.
func luminance(c string) (float64, error) {
	c, ok := ParseColour(c)
	if !ok {
		return 0, fmt.Errorf("not a colour: %q", c)
	}
	v, _ := strconv.ParseUint(c[1:], 16, 32)
	channel := func(x uint64) float64 {
		s := float64(x) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*channel(v>>16&0xff) + 0.7152*channel(v>>8&0xff) + 0.0722*channel(v&0xff), nil
}
