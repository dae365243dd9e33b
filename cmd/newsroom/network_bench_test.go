package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/config"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
)

// testPKI is a certificate authority made for one benchmark, and a
// certificate it signed for each address the benchmark's servers use.
// Each certificate names its own address only, as a server's on the
// internet does: one certificate naming all thousand addresses made every
// handshake send, parse and keep a thousand names (a fifth of the heap at
// the end of a fan-out, and processor time in every handshake).
type testPKI struct {
	ca     *x509.Certificate
	leaves []tls.Certificate // by index of the address
}

func newTestPKI(tb testing.TB, ips []net.IP) testPKI {
	tb.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "newsroom benchmark CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		tb.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		tb.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	pki := testPKI{ca: ca, leaves: make([]tls.Certificate, len(ips))}
	for i, ip := range ips {
		leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(i) + 2), Subject: pkix.Name{CommonName: "inbox farm"},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IPAddresses: []net.IP{ip},
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			tb.Fatal(err)
		}
		pki.leaves[i] = tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: key}
	}
	return pki
}

// latencyProxy stands between our client and one inbox server: it
// forwards each connection's bytes, every chunk delayed by half the round
// trip each way, and the client's first bytes by a further round trip,
// the time TCP's handshake would have taken. TLS handshakes, resumption
// and connection reuse then cost what they cost over a real network.
type latencyProxy struct {
	ln     net.Listener
	target string
	rtt    time.Duration
}

func startLatencyProxy(tb testing.TB, listen, target string, rtt time.Duration) string {
	tb.Helper()
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		tb.Fatal(err)
	}
	p := &latencyProxy{ln: ln, target: target, rtt: rtt}
	var conns sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Go(func() { p.pipe(c) })
		}
	}()
	tb.Cleanup(func() { ln.Close(); conns.Wait() })
	return ln.Addr().String()
}

func (p *latencyProxy) pipe(client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	done := make(chan struct{}, 2)
	go func() { delayCopy(server, client, p.rtt/2, p.rtt); done <- struct{}{} }()
	go func() { delayCopy(client, server, p.rtt/2, 0); done <- struct{}{} }()
	<-done
	client.Close()
	server.Close()
	<-done
}

type chunk struct {
	data []byte
	at   time.Time
}

// delayCopy copies src to dst, each chunk written oneWay after it was
// read, the first one extra later still. A chunk keeps only the bytes
// read, not the buffer read into, and the buffer is small: a proxy's
// buffers are the kernel's on a real network, and 16 KB ones held per
// chunk made the proxies a fifth of the benchmark's heap, whose marking
// the public reads measured here wait behind.
func delayCopy(dst, src net.Conn, oneWay, extra time.Duration) {
	ch := make(chan chunk, 64)
	go func() {
		defer close(ch)
		buf := make([]byte, 4<<10)
		for first := true; ; first = false {
			n, err := src.Read(buf)
			if n > 0 {
				at := time.Now().Add(oneWay)
				if first {
					at = at.Add(extra)
				}
				ch <- chunk{slices.Clone(buf[:n]), at}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range ch {
		time.Sleep(time.Until(c.at))
		if _, err := dst.Write(c.data); err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
	for range ch {
	}
}

// Kinds of servers in the network farm, by share.
const (
	serverLive    = iota
	serverSlow    // answers after 5 s
	serverBusy    // answers 503 with Retry-After to an inbox's first delivery
	serverMute    // completes TLS, never answers HTTP
	serverSilent  // accepts TCP, never speaks TLS
	serverBacklog // listens, never accepts
	serverRefused // nothing listens
)

// networkFarm is inbox servers behind latency proxies, over TLS, some of
// them slow, busy or dead, all counting into one inboxFarm.
type networkFarm struct {
	*inboxFarm
	bases []string // every server's base URL, dead ones too
	live  int      // servers that end up accepting
	kinds map[int]int

	mu       sync.Mutex
	arrivals map[int][]time.Time // kind of server → when each delivery was accepted
}

// arrived records a delivery accepted by a server of the given kind.
func (f *networkFarm) arrived(kind int) {
	f.mu.Lock()
	f.arrivals[kind] = append(f.arrivals[kind], time.Now())
	f.mu.Unlock()
}

// arrivalSummary says, per kind of server, how long after start its
// deliveries arrived: where the time of a fan-out over the network goes.
func (f *networkFarm) arrivalSummary(start time.Time) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	names := map[int]string{serverLive: "live", serverSlow: "slow", serverBusy: "busy"}
	var out []string
	for kind := serverLive; kind <= serverBusy; kind++ {
		var lat []time.Duration
		for _, at := range f.arrivals[kind] {
			if at.After(start) {
				lat = append(lat, at.Sub(start))
			}
		}
		if len(lat) == 0 {
			continue
		}
		slices.Sort(lat)
		out = append(out, fmt.Sprintf("%s %d: p50 %s p90 %s max %s", names[kind], len(lat),
			percentile(lat, 0.5).Round(time.Millisecond), percentile(lat, 0.9).Round(time.Millisecond),
			lat[len(lat)-1].Round(time.Millisecond)))
	}
	return strings.Join(out, "; ")
}

func newNetworkFarm(tb testing.TB, n int, pki testPKI, ips []net.IP) *networkFarm {
	tb.Helper()
	counts := &inboxFarm{got: make(map[string]map[string]int), inboxes: make(map[string]int)}
	f := &networkFarm{inboxFarm: counts, kinds: make(map[int]int), arrivals: make(map[int][]time.Time)}
	rnd := mrand.New(mrand.NewPCG(15, 1))
	var busyMu sync.Mutex
	busySeen := make(map[string]bool)
	stop := make(chan struct{})
	for i := range n {
		// 10 % dead (a quarter of each kind), 5 % slow, 2 % busy.
		kind := serverLive
		switch share := i % 100; {
		case share < 10:
			kind = serverMute + share%4
		case share < 15:
			kind = serverSlow
		case share < 17:
			kind = serverBusy
		}
		f.kinds[kind]++
		rtt := 50*time.Millisecond + time.Duration(rnd.Int64N(int64(250*time.Millisecond)))
		listen := ips[i].String() + ":0"
		var addr string
		switch kind {
		case serverRefused:
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				tb.Fatal(err)
			}
			addr = ln.Addr().String()
			ln.Close()
		case serverBacklog:
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { ln.Close() })
			addr = ln.Addr().String()
		case serverSilent:
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				tb.Fatal(err)
			}
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					go func() { <-stop; c.Close() }()
				}
			}()
			tb.Cleanup(func() { ln.Close() })
			addr = startLatencyProxy(tb, listen, ln.Addr().String(), rtt)
		default:
			accept := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				counts.ServeHTTP(w, r)
				f.arrived(kind)
			})
			h := http.Handler(accept)
			switch kind {
			case serverMute:
				h = http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-stop })
			case serverSlow:
				h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					select {
					case <-time.After(5 * time.Second):
					case <-stop:
					}
					accept(w, r)
				})
			case serverBusy:
				h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					busyMu.Lock()
					first := !busySeen[r.URL.Path]
					busySeen[r.URL.Path] = true
					busyMu.Unlock()
					if first {
						_, _ = io.Copy(io.Discard, r.Body)
						w.Header().Set("Retry-After", "2")
						w.WriteHeader(http.StatusServiceUnavailable)
						return
					}
					accept(w, r)
				})
			}
			srv := httptest.NewUnstartedServer(h)
			srv.Config.ErrorLog = nil
			// Most servers offer HTTP/2; one in five speaks HTTP/1.1 only.
			srv.EnableHTTP2 = i%5 != 4
			srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.leaves[i]}}
			srv.StartTLS()
			tb.Cleanup(srv.Close)
			addr = startLatencyProxy(tb, listen, srv.Listener.Addr().String(), rtt)
		}
		if kind <= serverBusy {
			f.live++
		}
		f.bases = append(f.bases, "https://"+addr)
	}
	// Registered last, so run first: the servers' Close waits for the
	// handlers holding their answers back.
	tb.Cleanup(func() { close(stop) })
	return f
}

// loopbackIPs are n addresses of 127.1.0.0/16, one per server, so that
// each server is a host of its own to the client (its own TLS session,
// its own connections), as on the internet.
func loopbackIPs(n int) []net.IP {
	ips := make([]net.IP, n)
	for i := range n {
		ips[i] = net.IPv4(127, 1, byte(i/250), byte(i%250+1))
	}
	return ips
}

// wan is the network farm as the benchmark sees it, in this process or
// in a child.
type wan struct {
	servedCounter
	farmHello
	ca       *x509.Certificate
	arrivals func(start time.Time) string
}

// startWAN starts the network farm of n servers: in this process, or with
// NEWSROOM_BENCH_FARM_PROCESS set in a process of its own. In this
// process, the farm's thousand TLS servers, proxies and their heap share
// the server's scheduler and collector: a public read measured during
// the fan-out then also waits behind the farm's goroutines (half of those
// runnable while a read was slow, in a trace) and the marking of its
// heap, which the internet's servers would not make it do.
func startWAN(b *testing.B, n int) *wan {
	if os.Getenv("NEWSROOM_BENCH_FARM_PROCESS") != "" {
		p := startFarmChild(b, n, -1, "network")
		ca, err := x509.ParseCertificate(p.CA)
		if err != nil {
			b.Fatal(err)
		}
		return &wan{servedCounter: p, farmHello: p.farmHello, ca: ca, arrivals: p.arrivalSummary}
	}
	ips := loopbackIPs(n)
	pki := newTestPKI(b, ips)
	f := newNetworkFarm(b, n, pki, ips)
	return &wan{servedCounter: f.inboxFarm, farmHello: farmHello{Bases: f.bases, Live: f.live, Kinds: f.kinds},
		ca: pki.ca, arrivals: f.arrivalSummary}
}

// BenchmarkFanoutNetwork sends one post to 10,000 followers on 1,000
// servers that are 50–300 ms away over TLS, 10 % of them dead, 5 %
// answering in 5 s, 2 % answering 503 with Retry-After the first time,
// and the same fan-out to 1,000 servers on plain loopback, in one run
// and one server. It reports the time until every live inbox has the
// post for both, and their ratio.
//
//	.ci/with-postgres go test ./cmd/newsroom -run '^$' -bench FanoutNetwork -benchtime 1x
func BenchmarkFanoutNetwork(b *testing.B) { benchBackends(b, fanoutNetworkOnce) }

func fanoutNetworkOnce(b *testing.B, backend string) {
	const servers = 1000
	perServer := 10
	if v, err := strconv.Atoi(os.Getenv("NEWSROOM_BENCH_PER_SERVER")); err == nil && v > 0 {
		perServer = v // fewer on a machine too busy to finish in time
	}
	b.StopTimer()
	wan := startWAN(b, servers)
	loop := newInboxFarm(b, servers)
	ts := startServerWith(b, backend, func(c *config.Config) { c.ExtraRootCAs = []*x509.Certificate{wan.ca} },
		"--log-level", "error")
	near := ts.createOrg(b, "near", "Loopback")
	far := ts.createOrg(b, "far", "Internet")
	ctx := b.Context()
	// The page the read probe fetches, published before anyone follows.
	page, err := ts.services.posts.Publish(ctx, posts.PostInput{OrgID: near.ID, Kind: newsroom.KindArticle, Title: "Avant", Body: "Texte."})
	if err != nil {
		b.Fatal(err)
	}
	wantNear := loop.addFollowers(b, ts.Store, near.ID, perServer)
	addFollowersAt(b, ts.Store, far.ID, wan.Bases, perServer)
	wantFar := wan.Live * perServer

	sign, _ := signingRate(b, 2*time.Second)
	b.StartTimer()
	publish := func(orgID int64) time.Time {
		start := time.Now()
		if _, err := ts.services.posts.Publish(ctx, posts.PostInput{OrgID: orgID, Kind: newsroom.KindPress,
			Title: "Communiqué", Body: "Dix mille abonnés."}); err != nil {
			b.Fatal(err)
		}
		return start
	}
	start := publish(near.ID)
	waitServed(b, ts, loop, near.ID, wantNear, 10*time.Minute)
	loopback := time.Since(start)

	stop := make(chan struct{})
	// A read every 5 ms: some 4,000 over a fan-out of 20 s, so that the
	// 99th percentile is the 40th slowest read, not the 10th.
	reads := readLatencies(ts, "/orgs/near/posts/"+page.ID, 5*time.Millisecond, stop)
	// An execution trace of the network fan-out alone: who held the
	// processors while a read waited.
	if f := benchOutput(b, "NEWSROOM_BENCH_TRACE"); f != nil {
		if err := trace.Start(f); err != nil {
			b.Fatal(err)
		}
	}
	start, cpu := publish(far.ID), cpuTime()
	waitServed(b, ts, wan, far.ID, wantFar, 10*time.Minute)
	network, cpuFar := time.Since(start), (cpuTime()-cpu)/time.Duration(wantFar)
	trace.Stop()
	// What the heap holds at the end of the network fan-out: ours, or
	// the farm's.
	if f := benchOutput(b, "NEWSROOM_BENCH_HEAPPROFILE"); f != nil {
		runtime.GC()
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	close(stop)
	lat := <-reads

	b.ReportMetric(loopback.Seconds(), "s-loopback")
	b.ReportMetric(network.Seconds(), "s-network")
	b.ReportMetric(network.Seconds()/loopback.Seconds(), "network/loopback")
	b.ReportMetric(sign, "signatures/s")
	b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "read-p50-ms")
	b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "read-p99-ms")
	over := 0
	for _, d := range lat {
		if d > 50*time.Millisecond {
			over++
		}
	}
	b.ReportMetric(100*float64(over)/float64(max(1, len(lat))), "%reads>50ms")
	b.Logf("%s: servers %v (0 live, 1 slow, 2 busy, 3 mute, 4 silent, 5 backlog, 6 refused); "+
		"%d inboxes on loopback in %s, %d live inboxes over the network in %s: ratio %.2f; "+
		"signing %.0f/s; processor time per live delivery %s; %d reads p50 %s p99 %s max %s",
		backend, wan.Kinds, wantNear, loopback.Round(time.Millisecond), wantFar, network.Round(time.Millisecond),
		network.Seconds()/loopback.Seconds(), sign, cpuFar.Round(time.Microsecond),
		len(lat), percentile(lat, 0.5), percentile(lat, 0.99), percentile(lat, 1))
	b.Logf("arrivals over the network: %s", wan.arrivals(start))
}
