package ratelimit

import (
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fail is a failed login: refused by the window, or counted by it.
func fail(th *Window, keys ...string) bool {
	if !th.Allowed(keys...) {
		return false
	}
	th.Add(keys...)
	return true
}

// 400 logins with distinct 1 MB emails from one address grew the server
// by 595 MB: every attempt made a bucket keyed by the raw email.
func TestWindowMemoryIsBounded(t *testing.T) {
	now := time.Unix(0, 0)
	th := New(25, 5*time.Minute, func() time.Time { return now })
	big := strings.Repeat("x", 1<<20)

	// One address: once it is refused, its attempts make no new buckets.
	for i := 0; i < 400; i++ {
		allowed := fail(th, "ip:192.0.2.1", "account:"+strconv.Itoa(i)+big)
		if allowed != (i < 25) {
			t.Fatalf("attempt %d: allowed = %v", i+1, allowed)
		}
	}
	if n := th.entries(); n != 26 {
		t.Fatalf("%d entries after 400 attempts from one address, want 26", n)
	}

	// Many addresses: each key costs a hash, not its text.
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < 400; i++ {
		fail(th, "ip:198.51.100."+strconv.Itoa(i), "account:"+strconv.Itoa(i)+big)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 1<<20 {
		t.Fatalf("800 keys of 1 MB kept %d KB", grew>>10)
	}
}

func TestWindowTableIsCapped(t *testing.T) {
	now := time.Unix(0, 0)
	th := New(25, 5*time.Minute, func() time.Time { return now })
	th.max = 10
	for i := 0; i < 10; i++ {
		if !fail(th, "ip:"+strconv.Itoa(i)) {
			t.Fatalf("key %d refused", i)
		}
	}
	if fail(th, "ip:new") {
		t.Fatal("a new key was let in with the table full")
	}
	if !fail(th, "ip:3") {
		t.Fatal("a key already held was refused")
	}
	now = now.Add(6 * time.Minute)
	if !fail(th, "ip:new") {
		t.Fatal("expired entries were not made room for")
	}
	if n := th.entries(); n != 1 {
		t.Fatalf("%d entries, want 1", n)
	}
}
