package site

import (
	"bytes"
	"net/http"
	"sort"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/julienschmidt/httprouter"

	"github.com/soga/newsroom/internal/newsroom"
)

// calendarHistory is how far back calendar feeds reach, so that a
// subscriber still sees last month's events.
const calendarHistory = 90 * 24 * time.Hour

// calendarSize bounds the events of one calendar feed.
const calendarSize = 200

// SiteICS serves /events.ics: the events of every organisation.
func (h *Handler) SiteICS(w http.ResponseWriter, r *http.Request) {
	h.cached(w, r, func(w http.ResponseWriter, r *http.Request) { h.calendar(w, r, false) })
}

// OrgICS serves /orgs/{handle}/events.ics.
func (h *Handler) OrgICS(w http.ResponseWriter, r *http.Request) {
	h.cached(w, r, func(w http.ResponseWriter, r *http.Request) { h.calendar(w, r, true) })
}

func (h *Handler) calendar(w http.ResponseWriter, r *http.Request, perOrg bool) {
	src, ok := h.source(w, r, perOrg)
	if !ok {
		return
	}
	f := src.filter
	f.Kind, f.Upcoming, f.Limit = newsroom.KindEvent, h.now().Add(-calendarHistory), calendarSize
	posts, err := h.store.ListPosts(r.Context(), published(f))
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	name := h.siteName(r)
	if src.org != nil {
		name = src.org.Name + " · " + name
	}
	body := h.buildCalendar(name, posts, src.orgs)
	writeCalendar(w, body, "")
}

// PostICS serves /orgs/{handle}/posts/{id}/event.ics, one event to add to
// a calendar.
func (h *Handler) PostICS(w http.ResponseWriter, r *http.Request) {
	h.cached(w, r, h.postICS)
}

func (h *Handler) postICS(w http.ResponseWriter, r *http.Request) {
	ctx, params := r.Context(), httprouter.ParamsFromContext(r.Context())
	p, err := h.store.PostByID(ctx, params.ByName("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	org, err := h.store.OrgByHandle(ctx, params.ByName("handle"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	switch {
	case p.OrgID != org.ID || p.Event == nil || org.Handle != params.ByName("handle"):
		h.NotFound(w, r)
		return
	case p.Status == newsroom.StatusDeleted:
		h.gone(w, r)
		return
	case p.Status != newsroom.StatusPublished:
		h.NotFound(w, r)
		return
	}
	body := h.buildCalendar(p.Title, []newsroom.Post{*p}, orgIndex{org.ID: org})
	writeCalendar(w, body, "event-"+strings.ToLower(p.ID)+".ics")
}

func writeCalendar(w http.ResponseWriter, body []byte, download string) {
	if download != "" {
		w.Header().Set("Content-Disposition", `attachment; filename="`+download+`"`)
	}
	writeFeed(w, "text/calendar; charset=utf-8", body)
}

// buildCalendar writes events as iCalendar. Times keep their event's zone
// (DTSTART;TZID=Europe/Paris:…), with a VTIMEZONE describing each zone
// over the years the events span, as RFC 5545 asks.
func (h *Handler) buildCalendar(name string, posts []newsroom.Post, orgs orgIndex) []byte {
	cal := ics.NewCalendarFor("newsroom")
	cal.SetMethod(ics.MethodPublish)
	name = icalText(name)
	cal.SetName(name)
	cal.SetXWRCalName(name)
	cal.SetRefreshInterval("PT1H")
	zones := map[string]*span{}
	var events []*ics.VEvent
	for i := range posts {
		p := &posts[i]
		org, ok := orgs[p.OrgID]
		if !ok || p.Event == nil {
			continue
		}
		events = append(events, h.vevent(org, p, zones))
	}
	names := make([]string, 0, len(zones))
	for n := range zones {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		cal.AddVTimezone(vtimezone(n, zones[n]))
	}
	for _, e := range events {
		cal.AddVEvent(e)
	}
	var buf bytes.Buffer
	// RFC 5545 lines end in CRLF.
	_ = cal.SerializeTo(&buf, ics.WithNewLine("\r\n")) // writes to memory cannot fail
	return buf.Bytes()
}

// span is the stretch of time a zone's description must cover.
type span struct{ from, to time.Time }

func (s *span) add(t time.Time) {
	if s.from.IsZero() || t.Before(s.from) {
		s.from = t
	}
	if t.After(s.to) {
		s.to = t
	}
}

func (h *Handler) vevent(org *newsroom.Organisation, p *newsroom.Post, zones map[string]*span) *ics.VEvent {
	link := h.urls.Post(org.Handle, p.ID)
	ev := p.Event
	e := ics.NewEvent(link)
	e.SetDtStampTime(lastChange(p))
	e.SetCreatedTime(p.PublishedAt)
	e.SetModifiedAt(lastChange(p))
	e.SetSequence(int(p.Version))
	loc := zone(ev.Timezone)
	setTime := func(prop ics.ComponentProperty, t time.Time) {
		if loc == time.UTC {
			e.SetProperty(prop, t.UTC().Format("20060102T150405Z"))
			return
		}
		e.SetProperty(prop, t.In(loc).Format("20060102T150405"), ics.WithTZID(loc.String()))
		s := zones[loc.String()]
		if s == nil {
			s = &span{}
			zones[loc.String()] = s
		}
		s.add(t)
	}
	setTime(ics.ComponentPropertyDtStart, ev.Start)
	if !ev.End.IsZero() {
		setTime(ics.ComponentPropertyDtEnd, ev.End)
	}
	e.SetSummary(icalText(p.Title))
	desc := summaryOf(p, 2000)
	if desc != "" {
		desc += "\n\n"
	}
	e.SetDescription(icalText(desc + link))
	e.SetURL(link)
	var where []string
	for _, s := range []string{ev.PlaceName, ev.Street, strings.TrimSpace(ev.PostalCode + " " + ev.Locality), ev.Region, ev.Country} {
		if s != "" {
			where = append(where, s)
		}
	}
	if len(where) == 0 && isWebURL(ev.OnlineURL) {
		where = append(where, ev.OnlineURL)
	}
	if len(where) > 0 {
		e.SetLocation(icalText(strings.Join(where, ", ")))
	}
	switch ev.Status {
	case "TENTATIVE":
		e.SetStatus(ics.ObjectStatusTentative)
	case "CANCELLED":
		e.SetStatus(ics.ObjectStatusCancelled)
	default:
		e.SetStatus(ics.ObjectStatusConfirmed)
	}
	for _, t := range p.Tags {
		e.AddCategory(icalText(t))
	}
	if org.ContactEmail != "" {
		e.SetOrganizer(icalText("mailto:"+org.ContactEmail), ics.WithCN(icalParam(org.Name)))
	}
	return e
}

// vtimezone describes zone name from a year before s.from to a year after
// s.to: the offset in force at the start, then every change, each as a
// one-time STANDARD or DAYLIGHT observance read from the system's zone
// database.
func vtimezone(name string, s *span) *ics.VTimezone {
	loc := zone(name)
	tz := ics.NewTimezone(name)
	from := time.Date(s.from.Year()-1, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(s.to.Year()+2, 1, 1, 0, 0, 0, 0, time.UTC)
	_, prev := from.In(loc).Zone()
	tz.Components = append(tz.Components, observance(from.In(loc), prev, prev))
	for t := from; t.Before(to); {
		next := t.Add(24 * time.Hour)
		if _, off := next.In(loc).Zone(); off != prev {
			at := transition(loc, t, next)
			tz.Components = append(tz.Components, observance(at.In(loc), prev, off))
			prev = off
		}
		t = next
	}
	return tz
}

// transition finds the first second in (a, b] whose offset differs from
// a's, by bisection.
func transition(loc *time.Location, a, b time.Time) time.Time {
	_, off := a.In(loc).Zone()
	for b.Sub(a) > time.Second {
		mid := a.Add(b.Sub(a) / 2).Truncate(time.Second)
		if _, o := mid.In(loc).Zone(); o == off {
			a = mid
		} else {
			b = mid
		}
	}
	return b
}

// observance is one STANDARD or DAYLIGHT block starting at t (in the zone),
// whose DTSTART is, as RFC 5545 says, the local time before the change.
func observance(t time.Time, fromOff, toOff int) ics.Component {
	abbr, _ := t.Zone()
	base := ics.ComponentBase{}
	base.SetProperty(ics.ComponentPropertyDtStart, t.UTC().Add(time.Duration(fromOff)*time.Second).Format("20060102T150405"))
	base.SetProperty(ics.ComponentProperty("TZOFFSETFROM"), utcOffset(fromOff))
	base.SetProperty(ics.ComponentProperty("TZOFFSETTO"), utcOffset(toOff))
	base.SetProperty(ics.ComponentProperty("TZNAME"), abbr)
	if t.IsDST() {
		return &ics.Daylight{ComponentBase: base}
	}
	return &ics.Standard{ComponentBase: base}
}

// utcOffset writes seconds east of UTC as iCalendar's +HHMM.
func utcOffset(sec int) string {
	sign := byte('+')
	if sec < 0 {
		sign, sec = '-', -sec
	}
	b := []byte{sign, 0, 0, 0, 0}
	h, m := sec/3600, sec%3600/60
	b[1], b[2], b[3], b[4] = byte('0'+h/10), byte('0'+h%10), byte('0'+m/10), byte('0'+m%10)
	return string(b)
}

// icalText makes text safe for a content line: golang-ical escapes line
// feeds but writes a bare carriage return as it is, which a calendar reads
// as the end of the line, so that the rest of a title would become a
// property of its own. Line breaks of every kind become line feeds (which
// the library escapes) and other control characters go.
func icalText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			return '\n'
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, strings.ReplaceAll(s, "\r\n", "\n"))
}

// icalParam makes text safe for a parameter value, which is quoted and
// can hold neither a line break nor a double quote.
func icalParam(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085':
			return ' '
		}
		return r
	}, s)
}
