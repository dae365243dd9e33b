// Package mail sends the few messages newsroom writes (password reset
// links) through the SMTP server an administrator configured, with the
// standard library's client.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// Timeout bounds one message, from connecting to QUIT.
const Timeout = 30 * time.Second

// Mailer sends through one SMTP server.
type Mailer struct {
	addr     string // host:port
	host     string
	implicit bool // smtps: TLS from the first byte, else STARTTLS when offered
	auth     smtp.Auth
	from     mail.Address
	// TLS is the client's TLS configuration; nil verifies the server's
	// certificate for its host name.
	TLS *tls.Config
	now func() time.Time
}

// New reads an smtp:// or smtps:// URL (user and password in it when the
// server wants them; port 587 and 465 by default) and the From address.
// smtp:// upgrades with STARTTLS whenever the server offers it, and
// never sends a password over a connection that is not encrypted, unless
// the server is on this machine.
func New(rawURL, from string) (*Mailer, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("not a URL")
	}
	m := &Mailer{host: u.Hostname(), now: time.Now}
	port := u.Port()
	switch u.Scheme {
	case "smtp":
		if port == "" {
			port = "587"
		}
	case "smtps":
		m.implicit = true
		if port == "" {
			port = "465"
		}
	default:
		return nil, errors.New("must start with smtp:// or smtps://")
	}
	if m.host == "" {
		return nil, errors.New("has no host")
	}
	m.addr = net.JoinHostPort(m.host, port)
	if u.User != nil {
		pass, _ := u.User.Password()
		m.auth = smtp.PlainAuth("", u.User.Username(), pass, m.host)
	}
	if from == "" {
		return nil, errors.New("needs a From address (--smtp-from)")
	}
	a, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("from address %q: %w", from, err)
	}
	m.from = *a
	return m, nil
}

// Send delivers one plain-text message to one address.
func (m *Mailer) Send(ctx context.Context, to, subject, body string) error {
	rcpt, err := mail.ParseAddress(to)
	if err != nil {
		return fmt.Errorf("mail to %q: %w", to, err)
	}
	msg, err := m.message(rcpt, subject, body)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	if err := m.send(ctx, rcpt.Address, msg); err != nil {
		return fmt.Errorf("mail to %s via %s: %w", rcpt.Address, m.addr, err)
	}
	return nil
}

func (m *Mailer) send(ctx context.Context, rcpt string, msg []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	tlsConf := m.tlsConfig()
	if m.implicit {
		conn = tls.Client(conn, tlsConf)
	}
	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !m.implicit {
		if err := c.StartTLS(tlsConf); err != nil {
			return err
		}
	}
	if m.auth != nil {
		// PlainAuth itself refuses to send the password in clear to
		// another machine.
		if err := c.Auth(m.auth); err != nil {
			return err
		}
	}
	if err := c.Mail(m.from.Address); err != nil {
		return err
	}
	if err := c.Rcpt(rcpt); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func (m *Mailer) tlsConfig() *tls.Config {
	if m.TLS != nil {
		return m.TLS
	}
	return &tls.Config{ServerName: m.host, MinVersion: tls.VersionTLS12}
}

// message writes the headers and a quoted-printable UTF-8 body. Header
// values are encoded words, so no line break in a subject can add a
// header.
func (m *Mailer) message(to *mail.Address, subject, body string) ([]byte, error) {
	if strings.ContainsAny(subject, "\r\n") {
		return nil, errors.New("mail: line break in subject")
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	domain := m.from.Address[strings.LastIndexByte(m.from.Address, '@')+1:]
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", m.from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", subject))
	header("Date", m.now().Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id)+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Content-Type", `text/plain; charset="utf-8"`)
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(body)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
