package view

import (
	"net/url"
	"strings"
	"time"

	"github.com/soga/newsroom/internal/newsroom"
)

// EventView is an event's details as a page shows them, in the event's
// own zone. The public post page and the editor's preview both render it
// with the "event_details" partial, so the preview is what readers get.
type EventView struct {
	Start, End time.Time
	// StartText and EndText are written for readers of the page; EndText
	// is only the time when the event ends the day it starts.
	StartText, EndText string
	Zone               string
	Place              []string // the lines of the address, empty parts left out
	PlaceName          string
	OnlineURL          string
	Status             string // CONFIRMED, TENTATIVE or CANCELLED
	ICS                string // the event's calendar file; empty before it is published
}

// NewEventView writes ev for readers of lang.
func NewEventView(ev *newsroom.Event, lang string) *EventView {
	loc := EventZone(ev.Timezone)
	v := &EventView{Start: ev.Start.In(loc), Zone: loc.String(), PlaceName: ev.PlaceName, Status: ev.Status}
	v.StartText = eventTime(v.Start, lang)
	if !ev.End.IsZero() {
		v.End = ev.End.In(loc)
		v.EndText = eventTime(v.End, lang)
		if v.End.YearDay() == v.Start.YearDay() && v.End.Year() == v.Start.Year() {
			v.EndText = FormatClock(v.End, lang)
		}
	}
	// Only an absolute http(s) link becomes one, so that no javascript:
	// or data: link reaches a page.
	if u, err := url.Parse(ev.OnlineURL); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		v.OnlineURL = ev.OnlineURL
	}
	for _, line := range []string{ev.Street, strings.TrimSpace(ev.PostalCode + " " + ev.Locality), ev.Region, ev.Country} {
		if line != "" {
			v.Place = append(v.Place, line)
		}
	}
	return v
}

// eventTime is the date and time of day of an event; the zone's name
// follows it on the page, so no abbreviation is added.
func eventTime(t time.Time, lang string) string {
	if lang == "fr" {
		return FormatDate(t, lang) + " à " + FormatClock(t, lang)
	}
	return FormatDate(t, lang) + " " + FormatClock(t, lang)
}

// EventZone loads an event's time zone; an unknown name falls back to UTC
// rather than hiding the event.
func EventZone(name string) *time.Location {
	if loc, ok := newsroom.LoadZone(name); ok {
		return loc
	}
	return time.UTC
}
