package feeds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
)

// feedAccept asks for a feed, accepting what servers really send.
const feedAccept = "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"

// response is what a GET brought back.
type response struct {
	status int
	header http.Header
	body   []byte
	url    string // the URL that answered, after redirects
}

// get fetches rawURL, reading at most max bytes of the body and refusing
// at once a Content-Length over it.
func (s *Service) get(ctx context.Context, rawURL, accept string, max int64, header http.Header) (*response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, problem("not_url", "%q is not a web address (http:// or https://)", rawURL)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", accept)
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, unreachable(err)
	}
	defer resp.Body.Close()
	r := &response{status: resp.StatusCode, header: resp.Header, url: rawURL}
	if resp.Request != nil && resp.Request.URL != nil {
		r.url = resp.Request.URL.String()
	}
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return r, nil
	}
	if resp.ContentLength > max {
		return r, problem("too_large", "the file is more than the %d bytes we accept (%d announced)", max, resp.ContentLength)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return r, problem("broken", "the connection broke while reading (%v)", err)
	}
	if int64(len(b)) > max {
		return r, problem("too_large", "the file is more than the %d bytes we accept", max)
	}
	r.body = b
	return r, nil
}

// unreachable says in plain words why a request got no answer. The
// client's own errors already name the refused address or the redirect.
func unreachable(err error) error {
	msg := err.Error()
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return problem("timeout", "the site took too long to answer")
	case strings.Contains(msg, "not allowed"):
		return problem("private", "the address is on a private or reserved network, which we do not reach (%v)", err)
	case strings.Contains(msg, "redirect"):
		return problem("redirects", "the site redirects too many times or to a bad address (%v)", err)
	}
	return problem("unreachable", "could not reach the site (%v)", err)
}

// parse reads a feed. A web page or anything else that is not a feed is a
// Problem saying so.
func parse(body []byte) (*gofeed.Feed, error) {
	p := gofeed.NewParser()
	p.KeepOriginalFeed = true
	f, err := p.Parse(bytes.NewReader(body))
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		if looksHTML(body) {
			return nil, problem("web_page", "the address serves a web page, not a feed")
		}
		return nil, problem("not_feed", "the address does not serve an RSS, Atom or JSON feed")
	}
	if err != nil {
		return nil, problem("unreadable", "the feed cannot be read (%v)", err)
	}
	return f, nil
}

func looksHTML(body []byte) bool {
	head := bytes.ToLower(bytes.TrimSpace(body[:min(len(body), 1024)]))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.Contains(head, []byte("<html"))
}

// feedTypes are the link types that announce a feed, in our preference.
var feedTypes = []string{"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"}

// discover fetches rawURL; a feed is taken as it is, a web page is searched
// for its <link rel="alternate"> to a feed, which is fetched in turn.
func (s *Service) discover(ctx context.Context, rawURL string) (feed *gofeed.Feed, feedURL string, discovered bool, err error) {
	r, err := s.get(ctx, rawURL, feedAccept+", text/html;q=0.7", MaxFeedBytes, nil)
	if err != nil {
		return nil, "", false, err
	}
	if r.status != http.StatusOK {
		return nil, "", false, problem("status", "the site answered HTTP %d for %s", r.status, rawURL)
	}
	if f, err := parse(r.body); err == nil {
		return f, r.url, false, nil
	}
	link := feedLink(r.url, r.body)
	if link == "" {
		if looksHTML(r.body) {
			return nil, "", false, problem("no_feed_link", "this page does not link to a feed (no <link rel=\"alternate\"> of an RSS, Atom or JSON feed)")
		}
		_, err := parse(r.body)
		return nil, "", false, err
	}
	r, err = s.get(ctx, link, feedAccept, MaxFeedBytes, nil)
	if err != nil {
		return nil, "", false, err
	}
	if r.status != http.StatusOK {
		return nil, "", false, problem("status", "the site answered HTTP %d for the feed %s the page links to", r.status, link)
	}
	f, err := parse(r.body)
	if err != nil {
		return nil, "", false, fmt.Errorf("the page links to the feed %s: %w", link, err)
	}
	return f, r.url, true, nil
}

// feedLink returns the first feed the page announces, by our preference
// of types, resolved against the page's URL (or its <base>).
func feedLink(pageURL string, page []byte) string {
	z := html.NewTokenizer(bytes.NewReader(page))
	base := pageURL
	found := map[string]string{}
	for {
		switch z.Next() {
		case html.ErrorToken:
			for _, t := range feedTypes {
				if found[t] != "" {
					return found[t]
				}
			}
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if !hasAttr {
				continue
			}
			attrs := map[string]string{}
			for more := true; more; {
				var k, v []byte
				k, v, more = z.TagAttr()
				attrs[string(k)] = string(v)
			}
			switch string(name) {
			case "base":
				if b := absolute(pageURL, attrs["href"]); b != "" {
					base = b
				}
			case "link":
				if !hasWord(attrs["rel"], "alternate") {
					continue
				}
				t := strings.ToLower(strings.TrimSpace(strings.Split(attrs["type"], ";")[0]))
				if href := absolute(base, attrs["href"]); href != "" && found[t] == "" {
					found[t] = href
				}
			case "body":
				// Feeds are announced in the head; a page's body may be long.
				for _, t := range feedTypes {
					if found[t] != "" {
						return found[t]
					}
				}
				return ""
			}
		}
	}
}

func hasWord(list, word string) bool {
	for _, w := range strings.Fields(strings.ToLower(list)) {
		if w == word {
			return true
		}
	}
	return false
}
