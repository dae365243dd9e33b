package httperr

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/soga/newsroom/internal/newsroom"
)

func TestStatus(t *testing.T) {
	invalid := &newsroom.ValidationError{}
	invalid.Add("title", "required")
	for _, c := range []struct {
		err  error
		want int
	}{
		{fmt.Errorf("post x: %w", newsroom.ErrNotFound), http.StatusNotFound},
		{newsroom.ErrForbidden, http.StatusForbidden},
		{fmt.Errorf("post x: %w", newsroom.ErrGone), http.StatusGone},
		{fmt.Errorf("cannot change: %w", newsroom.ErrConflict), http.StatusConflict},
		{fmt.Errorf("new post: %w", invalid), http.StatusUnprocessableEntity},
		{New(http.StatusUnauthorized, "missing signature"), http.StatusUnauthorized},
		// The status decided where the problem was found wins over its cause.
		{Wrap(http.StatusBadRequest, "invalid key", newsroom.ErrNotFound), http.StatusBadRequest},
		{errors.New("disk full"), http.StatusInternalServerError},
	} {
		if got := Status(c.err); got != c.want {
			t.Errorf("Status(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}
