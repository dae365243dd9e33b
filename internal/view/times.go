package view

import (
	"fmt"
	"strings"
	"time"
)

// Times are shown in one zone per page: the reader's (an editor's own, or
// the site's) when the template passes the page, the site's when it
// passes only a language. A time of day always says its zone, since
// readers and the server rarely share one; a date alone does not.

// zoneOf returns the language and zone of a template's second argument:
// the page ($) or a language ($.Lang).
func (e *Engine) zoneOf(x any) (string, *time.Location) {
	switch v := x.(type) {
	case *Page:
		if v.Zone != nil {
			return v.Lang, v.Zone
		}
		return v.Lang, e.siteZone()
	case string:
		return v, e.siteZone()
	}
	return Langs[0].String(), e.siteZone()
}

func (e *Engine) siteZone() *time.Location {
	if e.SiteZone != nil {
		if loc := e.SiteZone(); loc != nil {
			return loc
		}
	}
	return time.UTC
}

// FormatDateTime writes t in loc as people of lang write it, with the
// zone's abbreviation: "14 March 2025 15:09 CET", "14 mars 2025 à 15 h 09 CET".
func FormatDateTime(t time.Time, lang string, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(loc)
	if lang == "fr" {
		return FormatDate(t, lang) + " à " + FormatClock(t, lang) + " " + ZoneLabel(t)
	}
	return FormatDate(t, lang) + " " + FormatClock(t, lang) + " " + ZoneLabel(t)
}

// FormatClock writes t's time of day, as in "15:09" or "15 h 09".
func FormatClock(t time.Time, lang string) string {
	if lang == "fr" {
		return fmt.Sprintf("%d h %02d", t.Hour(), t.Minute())
	}
	return t.Format("15:04")
}

// ZoneLabel names t's zone: its abbreviation where the zone has one
// people know (CET, CEST, GMT, UTC), else the offset from UTC.
func ZoneLabel(t time.Time) string {
	abbr, off := t.Zone()
	if abbr != "" && !strings.ContainsAny(abbr[:1], "+-0123456789") {
		return abbr
	}
	if off == 0 {
		return "UTC"
	}
	return "UTC" + t.Format("-07:00")
}

// ISOTime is t in loc as RFC 3339 with its offset, for <time datetime>.
func ISOTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format(time.RFC3339)
}
