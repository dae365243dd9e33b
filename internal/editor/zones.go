package editor

import (
	"net/http"
	"time"
	_ "time/tzdata" // the zones below must load on hosts and images without tzdata

	"github.com/soga/newsroom/internal/newsroom"
)

// timeZones are the zones offered in the form: those of the European
// countries the association's members work in, plus UTC. The first is
// the default.
func timeZones() []string {
	return []string{
		"Europe/Paris", "Europe/Brussels", "Europe/Luxembourg", "Europe/Amsterdam", "Europe/Berlin",
		"Europe/Zurich", "Europe/Vienna", "Europe/Rome", "Europe/Madrid", "Europe/Lisbon",
		"Europe/London", "Europe/Dublin", "Europe/Copenhagen", "Europe/Stockholm", "Europe/Oslo",
		"Europe/Helsinki", "Europe/Warsaw", "Europe/Prague", "Europe/Bratislava", "Europe/Budapest",
		"Europe/Ljubljana", "Europe/Zagreb", "Europe/Bucharest", "Europe/Sofia", "Europe/Athens",
		"Europe/Vilnius", "Europe/Riga", "Europe/Tallinn", "Atlantic/Canary", "UTC",
	}
}

// defaultZone is the zone of a form when neither the user nor the site
// chose one.
const defaultZone = "Europe/Paris"

// localInput is the value layout of <input type="datetime-local">.
const localInput = "2006-01-02T15:04"

// parseLocal reads a datetime-local value as a time in zone. Both must be
// valid; "" is not an error but the zero time.
func parseLocal(value, zone string) (time.Time, bool) {
	if value == "" {
		return time.Time{}, true
	}
	loc, ok := newsroom.LoadZone(zone)
	if !ok {
		return time.Time{}, false
	}
	// Browsers send seconds when the step allows them.
	for _, layout := range []string{localInput, "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, value, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// formatLocal writes t for a datetime-local input in zone.
func formatLocal(t time.Time, zone string) string {
	if t.IsZero() {
		return ""
	}
	if loc, ok := newsroom.LoadZone(zone); ok {
		t = t.In(loc)
	}
	return t.Format(localInput)
}

// zoneName is the zone of r's user: their own, else the site's, else
// defaultZone. The editor shows their times in it and reads what they
// type in it unless the form names another.
func (h *Handler) zoneName(r *http.Request) string {
	if c := currentFrom(r.Context()); c != nil && c.user.TimeZone != "" {
		if _, ok := newsroom.LoadZone(c.user.TimeZone); ok {
			return c.user.TimeZone
		}
	}
	if z := h.site(r.Context()).TimeZone; z != "" {
		if _, ok := newsroom.LoadZone(z); ok {
			return z
		}
	}
	return defaultZone
}
