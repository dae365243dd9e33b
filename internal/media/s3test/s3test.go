// Package s3test runs a real S3 server for tests: SeaweedFS's weed
// binary, single process (master, volume, filer and S3 gateway) on
// loopback ports.
package s3test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/soga/newsroom/internal/media"
	"github.com/soga/newsroom/internal/newsroom"
)

// Environment variables read by Start.
const (
	// WeedEnv names the weed binary; without it Start looks in
	// DefaultWeedPath, where .ci/deps builds it.
	WeedEnv = "NEWSROOM_TEST_WEED"
	// RequireEnv set to 1 turns a missing binary into a failure instead
	// of a skip.
	RequireEnv = "NEWSROOM_REQUIRE_S3"
	// WeedVersion is the SeaweedFS module version .ci/deps builds.
	WeedVersion = "v0.0.0-20261109003541-7506e5f91cd6"
)

// DefaultWeedPath is where .ci/deps builds weed: a cache outside the
// repository, one directory per version.
func DefaultWeedPath() string {
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "newsroom", "weed-"+WeedVersion, "weed")
}

// Server is a running SeaweedFS with an S3 gateway.
type Server struct {
	Endpoint string // http://127.0.0.1:PORT
	// Admin may do everything; Reader may only read and list, so that its
	// writes are refused as a full or read-only bucket's are.
	Admin, Reader media.Credentials

	cmd  *exec.Cmd
	once sync.Once
	done chan struct{}
}

// Weed returns the path of the weed binary, or skips t (fails it when
// NEWSROOM_REQUIRE_S3=1) when there is none.
func Weed(t testing.TB) string {
	t.Helper()
	bin := os.Getenv(WeedEnv)
	if bin == "" {
		bin = DefaultWeedPath()
	}
	if _, err := os.Stat(bin); err != nil {
		msg := fmt.Sprintf("no SeaweedFS binary at %s, so S3 tests cannot run: run .ci/deps to build it, or set %s", bin, WeedEnv)
		if os.Getenv(RequireEnv) == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return bin
}

// Start runs a SeaweedFS server for t, stopped when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Weed(t)
	dir := t.TempDir()
	s := &Server{
		Admin:  media.Credentials{AccessKey: "admin" + randomHex(6), SecretKey: randomHex(20)},
		Reader: media.Credentials{AccessKey: "reader" + randomHex(6), SecretKey: randomHex(20)},
	}
	cfg := map[string]any{"identities": []map[string]any{
		{"name": "admin", "credentials": []map[string]string{{"accessKey": s.Admin.AccessKey, "secretKey": s.Admin.SecretKey}},
			"actions": []string{"Admin", "Read", "List", "Tagging", "Write"}},
		{"name": "reader", "credentials": []map[string]string{{"accessKey": s.Reader.AccessKey, "secretKey": s.Reader.SecretKey}},
			"actions": []string{"Read", "List"}},
	}}
	b, _ := json.Marshal(cfg)
	cfgPath := filepath.Join(dir, "s3.json")
	if err := os.WriteFile(cfgPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o750); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "weed.log")
	// The ports are free when chosen but closed before weed binds them,
	// and the other test processes take ports meanwhile: a start that
	// lost one is tried again on new ports.
	for try := 1; ; try++ {
		err := s.launch(t, bin, data, cfgPath, logPath)
		if err == nil {
			break
		}
		log, _ := os.ReadFile(logPath)
		if try < 3 && bytes.Contains(log, []byte("address already in use")) {
			s.Stop()
			continue
		}
		t.Fatalf("SeaweedFS did not start: %v\n%s", err, tail(log, 4000))
	}
	t.Cleanup(s.Stop)
	return s
}

// launch starts weed on fresh ports and waits until it serves.
func (s *Server) launch(t testing.TB, bin, data, cfgPath, logPath string) error {
	ports := freePorts(t, 8)
	p := func(i int) string { return strconv.Itoa(ports[i]) }
	s.Endpoint = "http://127.0.0.1:" + p(6)
	s.done, s.once = make(chan struct{}), sync.Once{}
	s.cmd = exec.Command(bin, "server",
		"-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir="+data,
		"-master.port="+p(0), "-master.port.grpc="+p(1), "-master.volumeSizeLimitMB=32", "-master.telemetry=false",
		"-volume.port="+p(2), "-volume.port.grpc="+p(3), "-volume.max=20",
		"-filer", "-filer.port="+p(4), "-filer.port.grpc="+p(5),
		"-s3", "-s3.port="+p(6), "-s3.port.grpc="+p(7), "-s3.config="+cfgPath,
		"-s3.port.iceberg=0", "-s3.port.lance=0")
	logf, err := os.Create(logPath)
	if err != nil {
		return err
	}
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start weed: %w", err)
	}
	done := s.done
	go func() { s.cmd.Wait(); logf.Close(); close(done) }()
	return s.waitReady(60 * time.Second)
}

// Stop kills the server; a store that is down refuses connections.
func (s *Server) Stop() {
	s.once.Do(func() {
		s.cmd.Process.Kill()
		<-s.done
	})
}

func (s *Server) client(c media.Credentials) *minio.Client {
	cl, err := minio.New(s.Endpoint[len("http://"):], &minio.Options{
		Creds: credentials.NewStaticV4(c.AccessKey, c.SecretKey, ""), BucketLookup: minio.BucketLookupPath, Region: "us-east-1"})
	if err != nil {
		panic(err)
	}
	return cl
}

// waitReady polls until the gateway answers and a bucket can be made and
// written: the volume server registers some time after the S3 port opens.
func (s *Server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	cl := s.client(s.Admin)
	var err error
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("weed exited")
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = cl.MakeBucket(ctx, "ready", minio.MakeBucketOptions{})
		if err == nil || minio.ToErrorResponse(err).Code == "BucketAlreadyOwnedByYou" || minio.ToErrorResponse(err).Code == "BucketAlreadyExists" {
			_, err = cl.PutObject(ctx, "ready", "probe", strings.NewReader("ok"), 2, minio.PutObjectOptions{})
		}
		cancel()
		if err == nil {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return err
}

// Bucket makes a fresh bucket and returns its name.
func (s *Server) Bucket(t testing.TB) string {
	t.Helper()
	name := "t" + randomHex(8)
	if err := s.client(s.Admin).MakeBucket(t.Context(), name, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("make bucket: %v", err)
	}
	return name
}

// Location is the --media-store value of bucket on this server.
func (s *Server) Location(bucket string) string {
	return "s3://" + bucket + "?endpoint=" + s.Endpoint + "&region=us-east-1&style=path"
}

// Store opens bucket as a media store with the given keys.
func (s *Server) Store(t testing.TB, bucket string, c media.Credentials) media.Blobs {
	t.Helper()
	b, err := media.ParseLocation(s.Location(bucket), "", c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var lns []net.Listener
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// Silent starts a server on loopback that accepts connections and never
// answers: a store stuck on a full disk or a dead backend. It returns its
// address.
func Silent(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// ReadAll returns the bytes of an object of b.
func ReadAll(t testing.TB, b media.Blobs, name string) []byte {
	t.Helper()
	obj, err := b.Open(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	out, err := io.ReadAll(obj)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// NoRows is a media.Recorder that keeps nothing, for tests about bytes.
type NoRows struct{}

func (NoRows) PutMedia(context.Context, newsroom.Media) error { return nil }
