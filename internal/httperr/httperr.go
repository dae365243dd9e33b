// Package httperr says which HTTP status an error stands for, once for the
// whole server: the site, the editor and federation each render the
// answer their own way (a page, a translated page, a short text), but
// agree on the status.
package httperr

import (
	"errors"
	"net/http"

	"github.com/soga/newsroom/internal/newsroom"
)

// Error is an answer decided where the problem was found, such as the
// inbox refusing an activity: a status and a short reason, safe to send,
// and the cause, for logs only.
type Error struct {
	Status int
	Reason string
	Cause  error
}

// New returns an Error with status and reason.
func New(status int, reason string) error { return &Error{Status: status, Reason: reason} }

// Wrap returns an Error with status and reason, keeping cause for logs.
func Wrap(status int, reason string, cause error) error {
	return &Error{Status: status, Reason: reason, Cause: cause}
}

func (e *Error) Error() string { return e.Reason }

func (e *Error) Unwrap() error { return e.Cause }

// Status is the HTTP status err stands for: an Error's own; 404, 403, 410
// or 409 for the domain's sentinel errors, in that order when err wraps
// several; 422 for invalid input; 500 for anything else, whose text must
// not reach a response.
func Status(err error) int {
	var e *Error
	var v *newsroom.ValidationError
	switch {
	case errors.As(err, &e):
		return e.Status
	case errors.Is(err, newsroom.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, newsroom.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, newsroom.ErrGone):
		return http.StatusGone
	case errors.Is(err, newsroom.ErrConflict):
		return http.StatusConflict
	case errors.As(err, &v):
		return http.StatusUnprocessableEntity
	default:
		return http.StatusInternalServerError
	}
}
