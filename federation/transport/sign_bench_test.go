package transport

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"net/http"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// What signing a delivery costs beyond its RSA signature: the same key
// signs a signing string of a delivery's size ("rsa", the reference) and
// a whole delivery of a 2 KB Create with its Collection-Synchronization
// header ("request"). The difference is the headers, the digest of the
// body and the Signature header, paid once per delivery; "shared-digest"
// is a delivery of a fan-out, whose digest is the activity's.
//
//	go test ./federation/transport -run '^$' -bench SignDelivery -benchmem -count 4
func BenchmarkSignDelivery(b *testing.B) {
	key := testKey(b, 0)
	body := []byte(`{"type":"Create","object":{"content":"` + strings.Repeat("x", 2000) + `"}}`)
	const inbox = "https://news.test/users/ada/inbox"
	const keyID = "https://newsroom.test/orgs/acme#main-key"
	sync := `collectionId="https://newsroom.test/orgs/acme/followers", url="https://newsroom.test/orgs/acme/followers_synchronization", digest="` + strings.Repeat("ab", 32) + `"`
	b.Run("rsa", func(b *testing.B) {
		s := []byte(strings.Repeat("h", 400))
		defer threadCPU(b)()
		for b.Loop() {
			sum := sha256.Sum256(s)
			if _, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
	newRequest := func(b *testing.B) *http.Request {
		r, err := http.NewRequest(http.MethodPost, inbox, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		r.Header.Set("Content-Type", ContentTypeActivity)
		r.Header.Set("Accept", AcceptActivity)
		r.Header.Set("Collection-Synchronization", sync)
		return r
	}
	b.Run("request", func(b *testing.B) {
		now := time.Now()
		defer threadCPU(b)()
		for b.Loop() {
			if err := SignRequest(newRequest(b), body, keyID, key, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("shared-digest", func(b *testing.B) {
		now := time.Now()
		digest := BodyDigest(body)
		defer threadCPU(b)()
		for b.Loop() {
			if err := signRequest(newRequest(b), digest, keyID, key, now); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// threadCPU locks the benchmark to its thread and returns what reports
// the thread's processor time per operation.
func threadCPU(b *testing.B) func() {
	runtime.LockOSThread()
	start := threadTime(b)
	return func() {
		b.ReportMetric(float64((threadTime(b)-start).Microseconds())/float64(b.N), "cpu-µs/op")
		runtime.UnlockOSThread()
	}
}

func threadTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
