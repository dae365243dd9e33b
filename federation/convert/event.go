package convert

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"github.com/soga/newsroom/federation/ap"
	"github.com/soga/newsroom/internal/newsroom"
)

// eventFields sets what go-fed knows of an event (start, end, place name)
// and returns Mobilizon's terms go-fed lacks, to add after serialising.
// Times carry the offset of the event's own time zone, as Mobilizon sends
// them, so a reader's software can show local time without a zone table.
// readAt is the post's url, which an online event links to first.
func (c *Converter) eventFields(ev vocab.ActivityStreamsEvent, p *newsroom.Post, readAt string, ip *ap.IRIParser) (map[string]any, error) {
	e := p.Event
	if e == nil || e.Start.IsZero() {
		return nil, fmt.Errorf("event post %s has no start time", p.ID)
	}
	start := streams.NewActivityStreamsStartTimeProperty()
	start.Set(timeIn(e.Start, e.Timezone))
	ev.SetActivityStreamsStartTime(start)
	if !e.End.IsZero() {
		end := streams.NewActivityStreamsEndTimeProperty()
		end.Set(timeIn(e.End, e.Timezone))
		ev.SetActivityStreamsEndTime(end)
	}
	extra := map[string]any{
		"timezone":    eventZone(e),
		"isOnline":    e.OnlineURL != "" && !hasPlace(e),
		"status":      eventStatus(e),
		"ical:status": eventStatus(e),
		"joinMode":    "external",
	}
	if hasPlace(e) {
		place := streams.NewActivityStreamsPlace()
		if e.PlaceName != "" {
			name := streams.NewActivityStreamsNameProperty()
			name.AppendXMLSchemaString(e.PlaceName)
			place.SetActivityStreamsName(name)
		}
		loc := streams.NewActivityStreamsLocationProperty()
		loc.AppendActivityStreamsPlace(place)
		ev.SetActivityStreamsLocation(loc)
	}
	if e.OnlineURL != "" {
		// Two Links, in this order. Mastodon 4.7 makes the link card
		// from the first Link attachment (FEP-8967): our page, where the
		// card's title, summary, image and author are. Mobilizon takes
		// the online address from the first Link named "Website" with
		// mediaType text/html, wherever it is (get_online_address in its
		// converter/event.ex), so the meeting keeps that name and our
		// page has none. See docs/federation.md.
		attachment := ev.GetActivityStreamsAttachment()
		if attachment == nil {
			attachment = streams.NewActivityStreamsAttachmentProperty()
			ev.SetActivityStreamsAttachment(attachment)
		}
		attachment.AppendActivityStreamsLink(htmlLink(ip.Parse(readAt), ""))
		attachment.AppendActivityStreamsLink(htmlLink(ip.Parse(e.OnlineURL), onlineLinkName))
	}
	if hasPlace(e) {
		// go-fed's Place has no address: serialise it and add one.
		placeMap, err := streams.Serialize(ev.GetActivityStreamsLocation().At(0).GetActivityStreamsPlace())
		if err != nil {
			return nil, fmt.Errorf("place of post %s: %w", p.ID, err)
		}
		delete(placeMap, "@context")
		if addr := postalAddress(e); addr != nil {
			placeMap["address"] = addr
		}
		extra["location"] = placeMap
	}
	return extra, nil
}

// onlineLinkName is the name Mobilizon reads an event's online address
// under.
const onlineLinkName = "Website"

// htmlLink is a Link to a web page, named when name is not "".
func htmlLink(href *url.URL, name string) vocab.ActivityStreamsLink {
	link := streams.NewActivityStreamsLink()
	hrefProp := streams.NewActivityStreamsHrefProperty()
	hrefProp.Set(href)
	link.SetActivityStreamsHref(hrefProp)
	if name != "" {
		nameProp := streams.NewActivityStreamsNameProperty()
		nameProp.AppendXMLSchemaString(name)
		link.SetActivityStreamsName(nameProp)
	}
	mediaType := streams.NewActivityStreamsMediaTypeProperty()
	mediaType.Set("text/html")
	link.SetActivityStreamsMediaType(mediaType)
	return link
}

func hasPlace(e *newsroom.Event) bool {
	return e.PlaceName != "" || e.Street != "" || e.Locality != "" || e.PostalCode != "" || e.Country != ""
}

// postalAddress is schema.org's PostalAddress, as Mobilizon reads it.
func postalAddress(e *newsroom.Event) map[string]any {
	a := map[string]any{"type": "PostalAddress"}
	set := func(k, v string) {
		if v != "" {
			a[k] = v
		}
	}
	set("streetAddress", e.Street)
	set("postalCode", e.PostalCode)
	set("addressLocality", e.Locality)
	set("addressRegion", e.Region)
	set("addressCountry", e.Country)
	if len(a) == 1 {
		return nil
	}
	return a
}

func eventZone(e *newsroom.Event) string {
	if _, err := time.LoadLocation(e.Timezone); err == nil && e.Timezone != "" {
		return e.Timezone
	}
	return "UTC"
}

func eventStatus(e *newsroom.Event) string {
	switch s := strings.ToUpper(e.Status); s {
	case "TENTATIVE", "CANCELLED":
		return s
	}
	return "CONFIRMED"
}

// EventSummaryLine says when and where in one line of plain text, in the
// post's language: Mastodon shows an Event's name and summary only, never
// its start time or place. For example
// "📅 jeudi 1 mai 2025, 18:00–20:00 (Europe/Paris) · Maison des associations, Lyon".
func EventSummaryLine(e *newsroom.Event, lang string) string {
	if e == nil || e.Start.IsZero() {
		return ""
	}
	zone := eventZone(e)
	start := timeIn(e.Start, zone)
	var b strings.Builder
	if eventStatus(e) == "CANCELLED" {
		b.WriteString(cancelledWord(lang) + " ")
	}
	b.WriteString("📅 " + longDate(start, lang) + ", " + start.Format("15:04"))
	if !e.End.IsZero() {
		end := timeIn(e.End, zone)
		if sameDay(start, end) {
			b.WriteString("–" + end.Format("15:04"))
		} else {
			b.WriteString(" – " + longDate(end, lang) + ", " + end.Format("15:04"))
		}
	}
	b.WriteString(" (" + zone + ")")
	if where := eventWhere(e); where != "" {
		b.WriteString(" · " + where)
	}
	return b.String()
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// eventWhere is the place, its town and, for online events, the link.
func eventWhere(e *newsroom.Event) string {
	var parts []string
	if e.PlaceName != "" {
		parts = append(parts, e.PlaceName)
	}
	if e.Locality != "" && e.Locality != e.PlaceName {
		parts = append(parts, e.Locality)
	}
	if e.OnlineURL != "" {
		parts = append(parts, e.OnlineURL)
	}
	return strings.Join(parts, ", ")
}

// calendarWords are weekday (Sunday first) and month names in the
// languages editors publish in.
var calendarWords = map[string]struct {
	days   [7]string
	months [12]string
	order  string // "dmy" as in "jeudi 1 mai 2025", "mdy" as in "Thursday, May 1, 2025"
}{
	"fr": {[7]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
		[12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}, "dmy"},
	"en": {[7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		[12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}, "mdy"},
	"de": {[7]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"},
		[12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"}, "d.my"},
	"es": {[7]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
		[12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}, "d de m de y"},
	"it": {[7]string{"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"},
		[12]string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"}, "dmy"},
	"nl": {[7]string{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"},
		[12]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}, "dmy"},
	"pt": {[7]string{"domingo", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado"},
		[12]string{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"}, "d de m de y"},
}

// longDate writes t's date with its weekday in lang, or as ISO 8601 for a
// language without names.
func longDate(t time.Time, lang string) string {
	w, ok := calendarWords[lang]
	if !ok {
		return t.Format("2006-01-02")
	}
	day, month, year := t.Day(), w.months[t.Month()-1], t.Year()
	weekday := w.days[t.Weekday()]
	switch w.order {
	case "mdy":
		return fmt.Sprintf("%s, %s %d, %d", weekday, month, day, year)
	case "d.my":
		return fmt.Sprintf("%s, %d. %s %d", weekday, day, month, year)
	case "d de m de y":
		return fmt.Sprintf("%s, %d de %s de %d", weekday, day, month, year)
	}
	return fmt.Sprintf("%s %d %s %d", weekday, day, month, year)
}

func cancelledWord(lang string) string {
	switch lang {
	case "fr":
		return "ANNULÉ"
	case "de":
		return "ABGESAGT"
	case "es":
		return "CANCELADO"
	case "it":
		return "ANNULLATO"
	case "nl":
		return "GEANNULEERD"
	case "pt":
		return "CANCELADO"
	}
	return "CANCELLED"
}
