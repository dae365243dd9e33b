package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/soga/newsroom/federation/fedtest"
	"github.com/soga/newsroom/internal/newsroom"
	"github.com/soga/newsroom/internal/posts"
	"github.com/soga/newsroom/internal/store"
	"github.com/soga/newsroom/internal/store/storetest/testdb"
	"github.com/soga/newsroom/internal/urls"
)

// inboxFarm is many inbox servers on loopback that count, per inbox,
// how often each activity arrived. They verify nothing: the end-to-end
// tests check signatures; this one checks that nothing is lost.
type inboxFarm struct {
	servers []*httptest.Server
	mu      sync.Mutex
	got     map[string]map[string]int // inbox URL → activity id → times
	inboxes map[string]int            // activity id → inboxes that have it
	total   int
}

func newInboxFarm(t testing.TB, n int) *inboxFarm {
	t.Helper()
	f := &inboxFarm{got: make(map[string]map[string]int), inboxes: make(map[string]int)}
	for range n {
		srv := httptest.NewUnstartedServer(f)
		srv.Config.ErrorLog = nil
		srv.Start()
		t.Cleanup(srv.Close)
		f.servers = append(f.servers, srv)
	}
	return f
}

func (f *inboxFarm) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var a struct {
		ID string `json:"id"`
	}
	if r.Method != http.MethodPost || json.Unmarshal(body, &a) != nil || a.ID == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	inbox := "http://" + r.Host + r.URL.Path
	f.mu.Lock()
	if f.got[inbox] == nil {
		f.got[inbox] = make(map[string]int)
	}
	f.got[inbox][a.ID]++
	if f.got[inbox][a.ID] == 1 {
		f.inboxes[a.ID]++
	}
	f.total++
	f.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

// count returns how many inboxes have activityID, and how many times it
// arrived in all.
func (f *inboxFarm) count(activityID string) (inboxes, deliveries int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, acts := range f.got {
		if n := acts[activityID]; n > 0 {
			inboxes++
			deliveries += n
		}
	}
	return inboxes, deliveries
}

// countAfterKill is count once the requests a killed process had already
// written have been read: they still reach the farm after the kill, and
// counted too early they would pass for duplicates made by the restart.
// The counts must hold still for a second: on a loaded machine the farm's
// goroutines may wait that long to read what the kernel holds for them.
// While another process goes on serving, this is the count after 10 s,
// an upper bound.
func (f *inboxFarm) countAfterKill(activityID string) (inboxes, deliveries int) {
	inboxes, deliveries = f.count(activityID)
	still := 0
	for range 100 {
		time.Sleep(100 * time.Millisecond)
		n, d := f.count(activityID)
		if n != inboxes || d != deliveries {
			inboxes, deliveries, still = n, d, 0
			continue
		}
		if still++; still == 10 {
			break
		}
	}
	return inboxes, deliveries
}

// served is how many inboxes have activityID; cheap enough to poll.
func (f *inboxFarm) served(activityID string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inboxes[activityID]
}

// addFollowers gives org perServer followers on every server of the farm,
// each with its own inbox, so that every follower is one delivery.
func (f *inboxFarm) addFollowers(t testing.TB, st store.Store, orgID int64, perServer int) int {
	t.Helper()
	bases := make([]string, len(f.servers))
	for i, srv := range f.servers {
		bases[i] = srv.URL
	}
	return addFollowersAt(t, st, orgID, bases, perServer)
}

// addFollowersAt gives org perServer followers on each server whose base
// URL is given, each with its own inbox.
func addFollowersAt(t testing.TB, st store.Store, orgID int64, bases []string, perServer int) int {
	t.Helper()
	n := 0
	err := st.InTx(context.Background(), func(tx store.Tx) error {
		for _, base := range bases {
			host := strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://")
			for i := range perServer {
				actor := fmt.Sprintf("%s/users/u%d", base, i)
				if err := tx.AddFollower(context.Background(), newsroom.Follower{OrgID: orgID, ActorID: actor,
					Host: host, Inbox: actor + "/inbox", FollowID: actor + "#follow"}); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// buildBinary compiles newsroom once per test run.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "newsroom")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// process is newsroom running as a child process.
type process struct {
	cmd  *exec.Cmd
	logs *syncBuffer
}

// startProcess runs `newsroom serve args` with only PATH, HOME and env
// in its environment.
func startProcess(t testing.TB, bin string, args []string, env ...string) *process {
	t.Helper()
	p := &process{logs: &syncBuffer{}}
	p.cmd = exec.Command(bin, append([]string{"serve"}, args...)...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	p.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("process log (last 4 KiB):\n%s", tail(p.logs.String(), 4096))
		}
	})
	return p
}

func (p *process) kill(t testing.TB) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// A fan-out to 4,000 inboxes on 200 servers is cut by SIGKILL part-way;
// after a restart every inbox has the post, and only inboxes that had
// accepted it before we recorded so when the process died get it twice:
// bounded by the deliveries in flight, whatever the size of the fan-out
// (under 1% of 4,000 on an idle machine, more on a loaded one, whose
// outcomes wait longer for their group commit). The test checks that
// bound, which holds whatever the load, and logs the share.
func TestCrashDuringFanout(t *testing.T) {
	crashDuringFanout(t, "Create", func(t *testing.T, st store.Store, u urls.Builder, org *newsroom.Organisation) {
		p, err := newPosts(st, u, nil, nil).Publish(context.Background(),
			posts.PostInput{OrgID: org.ID, Kind: newsroom.KindPress, Title: "Communiqué", Body: "Ne rien perdre."})
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != newsroom.StatusPublished {
			t.Fatalf("post %s", p.Status)
		}
	})
}

// The same holds for a boost: a followed member's post arrives, our
// Announce of it goes out to the 4,000 inboxes, the process is killed
// part-way, and after the restart every inbox has the Announce, and the
// member's inbox too.
func TestCrashDuringBoostFanout(t *testing.T) {
	crashDuringFanout(t, "Announce", func(t *testing.T, st store.Store, u urls.Builder, org *newsroom.Organisation) {
		ctx := context.Background()
		member := fedtest.NewPeer(t, "member")
		a := &newsroom.NetworkAccount{OrgID: org.ID, ActorID: member.ActorID, Acct: member.Acct(), Inbox: member.Inbox,
			State: newsroom.NetworkFollowing, FollowID: u.Activity("follow")}
		if err := st.PutNetworkAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		note := member.Note(fedtest.Post{Content: "<p>Nouvelles du membre</p>"})
		if code := send(t, member, u.OrgInbox(org.Handle), member.CreateOf(note)); code != http.StatusAccepted {
			t.Fatalf("create: %d", code)
		}
		t.Cleanup(func() {
			if t.Failed() {
				return
			}
			if _, err := waitFor(member, func(r fedtest.Received) bool { return r.Type() == "Announce" && r.Accepted() }); err != nil {
				t.Errorf("the member never got the boost: %v", err)
			}
		})
	})
}

// crashDuringFanout starts newsroom as a child process, has start make an
// activity of type typ that fans out to 4,000 inboxes, kills the process
// part-way and restarts it: every inbox must get the activity, fewer than
// 1% twice.
func crashDuringFanout(t *testing.T, typ string, start func(t *testing.T, st store.Store, u urls.Builder, org *newsroom.Organisation)) {
	if testing.Short() {
		t.Skip("builds the binary and delivers to 4,000 inboxes")
	}
	bin := buildBinary(t)
	backends(t, func(t *testing.T, backend string) {
		const servers, perServer = 200, 20
		farm := newInboxFarm(t, servers)
		port := freePort(t)
		dataDir := t.TempDir()
		dbURL := "sqlite:" + filepath.Join(dataDir, "newsroom.db")
		if backend == "postgres" {
			dbURL = testdb.PostgresURL(t)
		}
		args := []string{
			"--listen", fmt.Sprintf("127.0.0.1:%d", port),
			"--base-url", fmt.Sprintf("http://127.0.0.1:%d", port),
			"--data-dir", dataDir, "--database-url", dbURL,
			"--allow-private-networks", "127.0.0.0/8",
			"--log-format", "json", "--log-level", "warn",
			// Jobs cut by the kill are run again after twice this.
			"--job-timeout", "2s",
		}
		cfg := testConfig(t, args...)
		ctx := context.Background()
		st, err := openStore(ctx, cfg, true)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		org := &newsroom.Organisation{Handle: "soga", Name: "SOGA"}
		if err := newOrgs(st, urls.New(cfg.BaseURL), nil).Create(ctx, org); err != nil {
			t.Fatal(err)
		}
		want := farm.addFollowers(t, st, org.ID, perServer)

		proc := startProcess(t, bin, args)
		waitHealthy(t, cfg.BaseURL.String())
		u := urls.New(cfg.BaseURL)
		start(t, st, u, org)
		acts, err := st.ListActivities(ctx, org.ID, typ, 0, 2)
		if err != nil || len(acts) != 1 {
			t.Fatalf("%s activities: %v %v", typ, acts, err)
		}
		activityID := u.Activity(acts[0].ID)

		// Kill once a quarter of the inboxes have it.
		deadline := time.Now().Add(60 * time.Second)
		for {
			if farm.served(activityID) >= want/4 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("fan-out did not start: %d inboxes", func() int { n, _ := farm.count(activityID); return n }())
			}
			time.Sleep(5 * time.Millisecond)
		}
		proc.kill(t)
		atKill, _ := farm.countAfterKill(activityID)
		recorded, err := st.DeliveryProgress(ctx, acts[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: killed with %d of %d inboxes served, %d recorded as delivered", backend, atKill, want, recorded.Delivered)
		if atKill == want {
			t.Fatalf("the fan-out finished before the kill; nothing was tested")
		}

		startProcess(t, bin, args)
		waitHealthy(t, cfg.BaseURL.String())
		start := time.Now()
		deadline = time.Now().Add(120 * time.Second)
		for {
			n, total := farm.count(activityID)
			if n == want {
				dups := total - n
				t.Logf("%s: all %d inboxes served %s after the restart; %d duplicates (%.2f%%)", backend, want,
					time.Since(start).Round(time.Second), dups, float64(dups)*100/float64(want))
				// Only an inbox served but not yet recorded when the process
				// died may get the activity twice: how many there are depends
				// on the machine's load (outcomes wait for their group
				// commit), not whether any other inbox is sent it again.
				if unrecorded := atKill - recorded.Delivered; dups > unrecorded {
					t.Errorf("%d duplicates, but only %d inboxes were served without being recorded", dups, unrecorded)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("after the restart only %d of %d inboxes got the post", n, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
		prog, err := st.DeliveryProgress(ctx, acts[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if prog.Total != want {
			t.Errorf("progress: %+v", prog)
		}
	})
}
