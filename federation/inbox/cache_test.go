package inbox

import (
	"fmt"
	"testing"
	"time"
)

func TestTTLCache(t *testing.T) {
	c := newTTLCache[string](10*time.Second, 3)
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	c.put("a", "1", t0)
	tests := []struct {
		at   time.Time
		want string
		ok   bool
	}{
		{t0, "1", true},
		{t0.Add(9 * time.Second), "1", true},
		{t0.Add(10 * time.Second), "", false},
		{t0.Add(-time.Second), "", false}, // a clock that went back
	}
	for _, tt := range tests {
		if got, ok := c.get("a", tt.at); got != tt.want || ok != tt.ok {
			t.Errorf("get at %v = %q %v, want %q %v", tt.at.Sub(t0), got, ok, tt.want, tt.ok)
		}
	}
	if _, ok := c.get("b", t0); ok {
		t.Error("get of a missing key succeeded")
	}
	for i := 0; i < 10; i++ {
		c.put(fmt.Sprint(i), "x", t0)
		if len(c.m) > 3 {
			t.Fatalf("cache grew to %d entries", len(c.m))
		}
	}
}
