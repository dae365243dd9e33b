package delivery

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math"
	"net"
	"strconv"
	"syscall"
	"time"

	"github.com/soga/newsroom/federation/transport"
)

// failure is a failed attempt as recorded: the technical message for
// whoever debugs it, and the reason an editor reads.
type failure struct {
	err    string
	reason string
}

// Reason sums up a failed attempt in a short code that the editor's
// delivery page turns into plain words in the reader's language:
//
//	status:503   the server answered 503
//	gone:410     the server says the account is gone
//	refused      nothing listens at that address
//	timeout:10   no answer within 10 seconds
//	dns          the server's name does not resolve
//	tls          the secure connection failed (certificate, protocol)
//	reset        the server closed the connection mid-way
//	forbidden    the address is a private one we do not deliver to
//	down         not tried: the server gave no answer moments ago
//	error        anything else; the technical message says more
//
// took is how long the attempt lasted, which a timeout reports.
func Reason(res *transport.DeliveryResult, err error, took time.Duration) string {
	if res != nil && res.StatusCode != 0 {
		if res.Outcome == transport.Gone {
			return "gone:" + strconv.Itoa(res.StatusCode)
		}
		return "status:" + strconv.Itoa(res.StatusCode)
	}
	var dns *net.DNSError
	var netErr net.Error
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var record tls.RecordHeaderError
	var alert tls.AlertError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, transport.ErrForbiddenAddress):
		return "forbidden"
	case errors.Is(err, transport.ErrHostDown):
		return "down"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.As(err, &dns) && !dns.IsTimeout:
		return "dns"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timeout:" + strconv.Itoa(int(math.Round(took.Seconds())))
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr),
		errors.As(err, &invalid), errors.As(err, &record), errors.As(err, &alert):
		return "tls"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.EPIPE):
		return "reset"
	}
	return "error"
}
