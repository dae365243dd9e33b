package mail

import (
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/soga/newsroom/internal/mail/smtptest"
)

// A message reaches a real SMTP server on loopback, logged in with the
// URL's credentials, with headers a mail client reads back as written.
func TestSendThroughSMTP(t *testing.T) {
	srv := smtptest.Start(t, "newsroom", "s3cret:pass")
	m, err := New("smtp://newsroom:s3cret%3Apass@"+srv.Addr, "Le Réseau <news@reseau.example>")
	if err != nil {
		t.Fatal(err)
	}
	body := "Bonjour,\n\nChoisissez-le ici :\nhttp://news.example/reset/" + strings.Repeat("x", 90) + "\n\n.\nFin"
	if err := m.Send(t.Context(), "Inès <ines@example.org>", "Choisissez un nouveau mot de passe", body); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	got, ok := srv.Wait(ctx, 1)
	if !ok {
		t.Fatal("no message arrived")
	}
	msg := got[0]
	if msg.User != "newsroom" || msg.From != "news@reseau.example" || len(msg.To) != 1 || msg.To[0] != "ines@example.org" {
		t.Fatalf("envelope %+v", msg)
	}
	parsed, err := netmail.ReadMessage(strings.NewReader(msg.Data))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
	if err != nil || subject != "Choisissez un nouveau mot de passe" {
		t.Errorf("subject %q %v", subject, err)
	}
	from, err := parsed.Header.AddressList("From")
	if err != nil || from[0].Name != "Le Réseau" || from[0].Address != "news@reseau.example" {
		t.Errorf("from %v %v", from, err)
	}
	if parsed.Header.Get("Message-ID") == "" || parsed.Header.Get("Date") == "" {
		t.Errorf("headers %v", parsed.Header)
	}
	text, err := io.ReadAll(quotedprintable.NewReader(parsed.Body))
	if err != nil {
		t.Fatal(err)
	}
	// The client ends the data with a line break of its own.
	if got := strings.TrimSuffix(strings.ReplaceAll(string(text), "\r\n", "\n"), "\n"); got != body {
		t.Errorf("body %q\nwant %q", got, body)
	}
}

func TestSendRefusedCredentials(t *testing.T) {
	srv := smtptest.Start(t, "newsroom", "right")
	m, err := New("smtp://newsroom:wrong@"+srv.Addr, "news@reseau.example")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(t.Context(), "ines@example.org", "x", "y"); err == nil || !strings.Contains(err.Error(), "535") {
		t.Fatalf("wrong password: %v", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages accepted", n)
	}
}

func TestNewRefusesBadSettings(t *testing.T) {
	for _, tc := range []struct{ url, from string }{
		{"http://mail.example", "a@b.example"},
		{"smtp://", "a@b.example"},
		{"smtp://mail.example", ""},
		{"smtp://mail.example", "not an address"},
	} {
		if _, err := New(tc.url, tc.from); err == nil {
			t.Errorf("New(%q, %q) accepted", tc.url, tc.from)
		}
	}
	if _, err := New("smtp://mail.example", "a@b.example"); err != nil {
		t.Errorf("a plain URL: %v", err)
	}
}

func TestSubjectCannotAddHeaders(t *testing.T) {
	m, err := New("smtp://127.0.0.1:1", "a@b.example")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(t.Context(), "c@d.example", "hi\r\nBcc: e@f.example", "x"); err == nil {
		t.Fatal("a subject with a line break was accepted")
	}
}
