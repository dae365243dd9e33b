package inbox

import "net/url"

// mustURL parses URLs we built ourselves from the base URL.
func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic("inbox: bad URL built: " + s)
	}
	return u
}
