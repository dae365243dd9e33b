package feeds

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/rss"
)

// stretch is the wait before the next poll: the interval, or the feed's
// or server's hint when longer, never more than MaxInterval.
func stretch(interval, hint time.Duration) time.Duration {
	return min(max(interval, hint), MaxInterval)
}

// backoff is the wait after the n-th failure in a row: the interval
// doubled each time, up to MaxInterval, with a quarter of jitter so that
// sources failing together (the same host down) do not come back together.
func backoff(interval time.Duration, n int, jitter float64) time.Duration {
	d := float64(interval) * math.Pow(2, float64(min(n, 20)-1))
	d = min(d, float64(MaxInterval))
	return time.Duration(d * (0.75 + 0.5*jitter))
}

// headerHint is what the answer's Cache-Control max-age or Retry-After
// ask us to wait.
func headerHint(h http.Header, now time.Time) time.Duration {
	var d time.Duration
	for _, part := range strings.Split(h.Get("Cache-Control"), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(k, "max-age") {
			if n, err := strconv.Atoi(strings.Trim(v, `"`)); err == nil && n > 0 {
				d = max(d, time.Duration(n)*time.Second)
			}
		}
	}
	if ra := strings.TrimSpace(h.Get("Retry-After")); ra != "" {
		if n, err := strconv.Atoi(ra); err == nil && n > 0 {
			d = max(d, time.Duration(n)*time.Second)
		} else if t, err := http.ParseTime(ra); err == nil {
			d = max(d, t.Sub(now))
		}
	}
	return min(d, MaxInterval)
}

// syPeriods are sy:updatePeriod's values.
var syPeriods = map[string]time.Duration{
	"hourly": time.Hour, "daily": 24 * time.Hour, "weekly": 7 * 24 * time.Hour,
	"monthly": 30 * 24 * time.Hour, "yearly": 365 * 24 * time.Hour,
}

// feedHint is what the feed says of its own pace: RSS <ttl> (minutes), or
// <sy:updatePeriod> divided by <sy:updateFrequency>.
func feedHint(f *gofeed.Feed) time.Duration {
	var d time.Duration
	if r, ok := f.OriginalFeed().(*rss.Feed); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(r.TTL)); err == nil && n > 0 {
			d = time.Duration(min(n, 7*24*60)) * time.Minute
		}
	}
	if sy := f.Extensions["sy"]; sy != nil {
		period := syPeriods[strings.ToLower(strings.TrimSpace(first(sy["updatePeriod"])))]
		freq, err := strconv.Atoi(strings.TrimSpace(first(sy["updateFrequency"])))
		if err != nil || freq < 1 {
			freq = 1
		}
		if period > 0 {
			d = max(d, period/time.Duration(freq))
		}
	}
	return min(d, MaxInterval)
}
