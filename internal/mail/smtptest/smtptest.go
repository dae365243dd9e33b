// Package smtptest is an SMTP server on loopback that records what it
// receives, for tests of code that sends mail. It speaks just enough of
// RFC 5321 for Go's net/smtp client: EHLO, AUTH PLAIN, MAIL, RCPT, DATA,
// RSET, NOOP, QUIT.
package smtptest

import (
	"bufio"
	"context"
	"encoding/base64"
	"net"
	"strings"
	"sync"
	"testing"
)

// Message is one message the server accepted.
type Message struct {
	From string
	To   []string
	Data string // headers and body as sent, dot-unstuffed, CRLF line ends
	User string // the AUTH PLAIN identity, if the client logged in
}

// Server records messages; it stops when the test ends.
type Server struct {
	Addr string // 127.0.0.1:PORT
	// User and Password, when set, are required: AUTH with others fails.
	User, Password string // set by Start, read-only after

	ln       net.Listener
	mu       sync.Mutex
	messages []Message
	arrived  chan struct{}
}

// Start listens on a free loopback port. A user other than "" must log
// in with password before sending.
func Start(t testing.TB, user, password string) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), User: user, Password: password, ln: ln, arrived: make(chan struct{}, 100)}
	go s.serve()
	t.Cleanup(func() { ln.Close() })
	return s
}

// Messages returns what was received so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Wait returns the messages once there are n, or false when ctx ends
// first.
func (s *Server) Wait(ctx context.Context, n int) ([]Message, bool) {
	for {
		if m := s.Messages(); len(m) >= n {
			return m, true
		}
		select {
		case <-s.arrived:
		case <-ctx.Done():
			return s.Messages(), false
		}
	}
}

func (s *Server) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.session(c)
	}
}

func (s *Server) session(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	reply := func(line string) { c.Write([]byte(line + "\r\n")) }
	reply("220 smtptest ready")
	var msg Message
	authed := s.User == ""
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			reply("250-smtptest")
			reply("250 AUTH PLAIN")
		case "AUTH":
			mech, initial, _ := strings.Cut(arg, " ")
			raw, err := base64.StdEncoding.DecodeString(initial)
			parts := strings.Split(string(raw), "\x00")
			if !strings.EqualFold(mech, "PLAIN") || err != nil || len(parts) != 3 ||
				(s.User != "" && (parts[1] != s.User || parts[2] != s.Password)) {
				reply("535 authentication failed")
				continue
			}
			msg.User, authed = parts[1], true
			reply("235 ok")
		case "MAIL":
			if !authed {
				reply("530 authentication required")
				continue
			}
			from, _, _ := strings.Cut(arg[min(len(arg), len("FROM:")):], " ")
			msg.From = strings.Trim(from, "<>")
			reply("250 ok")
		case "RCPT":
			msg.To = append(msg.To, strings.Trim(arg[min(len(arg), len("TO:")):], "<>"))
			reply("250 ok")
		case "DATA":
			reply("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			msg.Data = b.String()
			s.mu.Lock()
			s.messages = append(s.messages, msg)
			s.mu.Unlock()
			s.arrived <- struct{}{}
			msg = Message{User: msg.User}
			reply("250 queued")
		case "RSET":
			msg = Message{User: msg.User}
			reply("250 ok")
		case "NOOP":
			reply("250 ok")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 not implemented")
		}
	}
}
