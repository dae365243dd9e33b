package convert

import "github.com/soga/newsroom/federation/ap"

// postContext is ap.Context with the terms of events and hashtags that
// our posts use: Mobilizon's (timezone, isOnline, joinMode), iCalendar's
// status and schema.org's postal address.
func postContext() []any {
	c := ap.Context()
	for _, v := range c {
		terms, ok := v.(map[string]any)
		if !ok {
			continue
		}
		terms["mz"] = "https://joinmobilizon.org/ns#"
		terms["ical"] = "http://www.w3.org/2002/12/cal/ical#"
		terms["timezone"] = map[string]any{"@id": "mz:timezone", "@type": "schema:Text"}
		terms["isOnline"] = map[string]any{"@id": "mz:isOnline", "@type": "schema:Boolean"}
		terms["joinMode"] = map[string]any{"@id": "mz:joinMode", "@type": "mz:joinModeType"}
		terms["PostalAddress"] = "schema:PostalAddress"
		terms["address"] = map[string]any{"@id": "schema:address", "@type": "schema:PostalAddress"}
		terms["streetAddress"] = "schema:streetAddress"
		terms["postalCode"] = "schema:postalCode"
		terms["addressLocality"] = "schema:addressLocality"
		terms["addressRegion"] = "schema:addressRegion"
		terms["addressCountry"] = "schema:addressCountry"
		addPolicyTerms(terms)
		return c
	}
	return c
}
