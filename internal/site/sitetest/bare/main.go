// Command bare serves recorded responses from memory with nothing but
// net/http: the reference .ci/bench-site measures beside newsroom and
// nginx, so that the table shows what serving a response costs in Go at
// all, and what newsroom adds to it. It is never part of newsroom.
//
//	bare -listen 127.0.0.1:8080 -dir DIR [-timeouts]
//
// DIR holds one file per response body and, next to it, NAME.headers, the
// response's header as curl -D wrote it. GET /NAME answers with NAME, or
// with NAME.gz when the request's Accept-Encoding mentions gzip and that
// file exists. -timeouts gives the server newsroom's timeouts against
// slow clients, whose deadlines net/http then sets on every request.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// response is one recorded answer.
type response struct {
	header http.Header
	body   []byte
}

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "address to listen on")
	dir := flag.String("dir", ".", "directory of bodies and their .headers files")
	timeouts := flag.Bool("timeouts", false, "set the read, write and idle timeouts newsroom sets")
	flag.Parse()
	responses, err := load(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		res, ok := responses[name]
		if gz, found := responses[name+".gz"]; found && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			res, ok = gz, true
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		for k, v := range res.header {
			h[k] = v
		}
		w.WriteHeader(http.StatusOK)
		w.Write(res.body) //nolint:errcheck // the client went away
	})
	srv := &http.Server{Addr: *listen, Handler: handler}
	if *timeouts {
		srv.ReadHeaderTimeout = 10 * time.Second
		srv.ReadTimeout = 60 * time.Second
		srv.WriteTimeout = 60 * time.Second
		srv.IdleTimeout = 120 * time.Second
	}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "bare:", err)
		os.Exit(1)
	}
}

// load reads every body that has a .headers file beside it.
func load(dir string) (map[string]response, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.headers"))
	if err != nil {
		return nil, err
	}
	responses := make(map[string]response)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".headers")
		body, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw)))
		if _, err := tp.ReadLine(); err != nil { // the status line
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		mh, err := tp.ReadMIMEHeader()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		h := http.Header(mh)
		h.Del("Date") // net/http writes its own, as it does for newsroom
		responses[name] = response{header: h, body: body}
	}
	if len(responses) == 0 {
		return nil, fmt.Errorf("no .headers file in %s", dir)
	}
	return responses, nil
}
