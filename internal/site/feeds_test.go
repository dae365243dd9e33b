package site

import (
	"html"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/mmcdole/gofeed"

	"github.com/soga/newsroom/internal/newsroom"
)

func TestFeedsParse(t *testing.T) {
	ts := newTestSite(t)
	cases := []struct {
		path, ctype, feedType string
		posts                 int
		org                   string
	}{
		{"/feed.atom", "application/atom+xml", "atom", 4, ""},
		{"/feed.rss", "application/rss+xml", "rss", 4, ""},
		{"/orgs/soga/feed.atom", "application/atom+xml", "atom", 3, "Social Good Accelerator"},
		{"/orgs/soga/feed.rss", "application/rss+xml", "rss", 3, "Social Good Accelerator"},
		{"/orgs/alpha/feed.atom", "application/atom+xml", "atom", 1, "Alpha Coop"},
		{"/orgs/alpha/feed.rss", "application/rss+xml", "rss", 1, "Alpha Coop"},
	}
	for _, c := range cases {
		resp, body := ts.get(t, c.path)
		wantStatus(t, resp, 200)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, c.ctype) {
			t.Errorf("%s: Content-Type %q", c.path, ct)
		}
		f, err := gofeed.NewParser().ParseString(body)
		if err != nil {
			t.Fatalf("%s: %v\n%s", c.path, err, body)
		}
		if f.FeedType != c.feedType {
			t.Errorf("%s: feed type %q", c.path, f.FeedType)
		}
		if len(f.Items) != c.posts {
			t.Errorf("%s: %d items, want %d (published only)", c.path, len(f.Items), c.posts)
		}
		if c.org != "" && !strings.HasPrefix(f.Title, c.org) {
			t.Errorf("%s: title %q", c.path, f.Title)
		}
		if !strings.HasPrefix(f.Link, testBase) {
			t.Errorf("%s: feed link %q is not absolute", c.path, f.Link)
		}
		if c.feedType == "atom" && f.FeedLink != testBase+c.path {
			t.Errorf("%s: rel=self link %q, want the feed's own URL", c.path, f.FeedLink)
		}
		for _, it := range f.Items {
			if !strings.HasPrefix(it.Link, testBase+"/orgs/") || it.GUID != it.Link {
				t.Errorf("%s: item link %q guid %q", c.path, it.Link, it.GUID)
			}
			if it.PublishedParsed == nil || it.PublishedParsed.After(ts.now) || it.PublishedParsed.Before(ts.now.Add(-31*24*time.Hour)) {
				t.Errorf("%s: item %q published %v", c.path, it.Title, it.PublishedParsed)
			}
			if it.Title == "" {
				t.Errorf("%s: item without title", c.path)
			}
			if strings.Contains(it.Content, "<script") {
				t.Errorf("%s: unsanitised content", c.path)
			}
		}
		// Summaries are plain text: Atom says so, RSS carries HTML, escaped.
		desc := f.Description
		if c.feedType == "rss" {
			desc = html.UnescapeString(desc)
		}
		if strings.HasPrefix(c.path, "/orgs/alpha/") && desc != "A cooperative <b>member</b> of the network." {
			t.Errorf("%s: plain text read as %q", c.path, f.Description)
		}
		if c.feedType == "atom" && (len(f.Items) == 0 || len(f.Items[0].Authors) == 0) {
			t.Errorf("%s: Atom entries need an author", c.path)
		}
		// Newest first: the article was published last.
		if c.path == "/feed.atom" && f.Items[0].Title != ts.fx.Article.Title {
			t.Errorf("%s: first item %q", c.path, f.Items[0].Title)
		}
	}
}

func TestCalendars(t *testing.T) {
	ts := newTestSite(t)
	paris := zone("Europe/Paris")
	for _, c := range []struct {
		path   string
		events int
	}{{"/events.ics", 2}, {"/orgs/soga/events.ics", 1}, {"/orgs/alpha/events.ics", 1}, {ts.postPath(ts.fx.Event) + "/event.ics", 1}} {
		resp, body := ts.get(t, c.path)
		wantStatus(t, resp, 200)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
			t.Errorf("%s: Content-Type %q", c.path, ct)
		}
		cal, err := ics.ParseCalendar(strings.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v\n%s", c.path, err, body)
		}
		if got := len(cal.Events()); got != c.events {
			t.Errorf("%s: %d events, want %d", c.path, got, c.events)
		}
		for _, e := range cal.Events() {
			if !strings.HasPrefix(e.Id(), testBase+"/orgs/") {
				t.Errorf("%s: UID %q is not the post URL", c.path, e.Id())
			}
			if e.GetProperty(ics.ComponentPropertyDtstamp) == nil || e.GetProperty(ics.ComponentPropertySummary) == nil {
				t.Errorf("%s: DTSTAMP or SUMMARY missing", c.path)
			}
		}
		if !strings.Contains(body, "\r\n") {
			t.Errorf("%s: lines must end in CRLF", c.path)
		}
	}
	resp, body := ts.get(t, ts.postPath(ts.fx.Event)+"/event.ics")
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
		t.Errorf("Content-Disposition %q", cd)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	e := cal.Events()[0]
	if e.Id() != testBase+ts.postPath(ts.fx.Event) {
		t.Errorf("UID %q", e.Id())
	}
	dtstart := e.GetProperty(ics.ComponentPropertyDtStart)
	if tz := dtstart.ICalParameters["TZID"]; len(tz) != 1 || tz[0] != "Europe/Paris" {
		t.Errorf("DTSTART TZID %v", tz)
	}
	start, err := e.GetStartAt()
	if err != nil || !start.Equal(ts.fx.Event.Event.Start) {
		t.Errorf("DTSTART %v (%v), want %v", start, err, ts.fx.Event.Event.Start)
	}
	if start.In(paris).Hour() != 14 {
		t.Errorf("event starts at %v in Paris, want 14:00", start.In(paris))
	}
	end, err := e.GetEndAt()
	if err != nil || !end.Equal(ts.fx.Event.Event.End) {
		t.Errorf("DTEND %v (%v)", end, err)
	}
	if loc := e.GetProperty(ics.ComponentPropertyLocation); loc == nil || !strings.Contains(loc.Value, "La Halle") {
		t.Errorf("LOCATION %v", loc)
	}
	tzs := cal.Timezones()
	if len(tzs) != 1 || tzs[0].GetProperty(ics.ComponentPropertyTzid).Value != "Europe/Paris" {
		t.Fatalf("VTIMEZONE %v", tzs)
	}
	// The zone's description must give the offset in force at the start.
	if !vtimezoneCovers(t, body, start.In(paris)) {
		t.Errorf("VTIMEZONE does not describe %v:\n%s", start.In(paris), body)
	}
}

// vtimezoneCovers finds the last observance starting before t and checks
// its offset is t's.
func vtimezoneCovers(t *testing.T, body string, at time.Time) bool {
	t.Helper()
	_, off := at.Zone()
	want := utcOffset(off)
	local := at.Format("20060102T150405")
	got := ""
	var dtstart, to string
	for _, line := range strings.Split(body, "\r\n") {
		switch {
		case strings.HasPrefix(line, "BEGIN:STANDARD"), strings.HasPrefix(line, "BEGIN:DAYLIGHT"):
			dtstart, to = "", ""
		case strings.HasPrefix(line, "DTSTART:"):
			dtstart = strings.TrimPrefix(line, "DTSTART:")
		case strings.HasPrefix(line, "TZOFFSETTO:"):
			to = strings.TrimPrefix(line, "TZOFFSETTO:")
		case strings.HasPrefix(line, "END:STANDARD"), strings.HasPrefix(line, "END:DAYLIGHT"):
			if dtstart <= local {
				got = to
			}
		}
	}
	return got == want
}

func TestVTimezoneTransitions(t *testing.T) {
	s := &span{}
	s.add(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	tz := vtimezone("Europe/Paris", s)
	out := tz.Serialize(&ics.SerializationConfiguration{MaxLength: 75, PropertyMaxLength: 75, NewLine: "\r\n"})
	// Paris moves to summer time on the last Sunday of March at 02:00
	// local time, and back on the last Sunday of October at 03:00.
	for _, want := range []string{
		"BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT",
		"BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing\n%s\nin\n%s", want, out)
		}
	}
	if utcOffset(-(3*3600+30*60)) != "-0330" || utcOffset(5*3600+45*60) != "+0545" {
		t.Error("utcOffset")
	}
}

// A bare carriage return in a title, a place or an organisation's name
// must not end the content line: what follows it would be read as a
// property of its own.
func TestCalendarEscapesLineBreaks(t *testing.T) {
	ts := newTestSite(t)
	org := *ts.fx.SoGA
	org.Name = "SOGA\rX-ORG-INJECTED:1"
	org.ContactEmail = "contact@example.org"
	p := *ts.fx.Event
	ev := *p.Event
	ev.PlaceName = "Hall\rX-PLACE-INJECTED:1"
	p.Event, p.Title = &ev, "Forum\rX-TITLE-INJECTED:1\u2028X-SEP-INJECTED:1\x00"
	p.Tags = []string{"tag\rX-TAG-INJECTED:1"}
	body := string(ts.buildCalendar("Cal\rX-CAL-INJECTED:1", []newsroom.Post{p}, orgIndex{org.ID: &org}))
	for _, line := range strings.Split(body, "\r\n") {
		for _, part := range strings.Split(line, "\r") {
			if name := part[:max(strings.IndexAny(part, ";:"), 0)]; strings.Contains(name, "INJECTED") {
				t.Errorf("injected property: %q", part)
			}
		}
	}
	if strings.ContainsAny(strings.ReplaceAll(body, "\r\n", ""), "\r\x00") {
		t.Error("a bare carriage return or NUL is left in the calendar")
	}
	cal, err := ics.ParseCalendar(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if s := cal.Events()[0].GetProperty(ics.ComponentPropertySummary).Value; !strings.Contains(s, "X-TITLE-INJECTED") {
		t.Errorf("the title's text was lost: %q", s)
	}
}
