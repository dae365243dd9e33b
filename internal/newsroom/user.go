package newsroom

import (
	"net/mail"
	"strings"
	"time"
)

// User is a person who logs into the editor: an administrator, or an editor
// of one or more organisations.
type User struct {
	ID           int64
	Email        string // lowercase, unique
	Name         string
	PasswordHash string // argon2id PHC string; never logged
	IsAdmin      bool
	Lang         string // interface language, "" = from the browser
	TimeZone     string // IANA zone the editor shows times in, "" = the site's
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// NormaliseEmail lowercases and trims an address.
func NormaliseEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// ValidateEmail checks that e is a plain address.
func ValidateEmail(e string) error {
	var v ValidationError
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || len(e) > 254 {
		v.Add("email", "email_invalid")
	}
	return v.Err()
}

// MinPasswordLen is the shortest password we accept.
const MinPasswordLen = 10

// ValidatePassword applies our password rules.
func ValidatePassword(p string) error {
	var v ValidationError
	if len([]rune(p)) < MinPasswordLen {
		v.Add("password", "password_too_short")
	} else if len(p) > 1024 {
		v.Add("password", "too_long")
	}
	return v.Err()
}

// Session is a logged-in browser. The token itself is only in the cookie;
// storage keeps its SHA-256 so a database leak does not leak sessions.
type Session struct {
	TokenHash string
	UserID    int64
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SetupToken is a one-time link that creates the first administrator.
type SetupToken struct {
	TokenHash string
	ExpiresAt time.Time
}

// TokenPurpose says what a one-time account link does.
type TokenPurpose string

const (
	// TokenInvite lets someone an administrator created choose their
	// first password.
	TokenInvite TokenPurpose = "invite"
	// TokenReset lets someone who lost their password choose another.
	TokenReset TokenPurpose = "reset"
)

// UserToken is a one-time link for one account, stored by hash.
type UserToken struct {
	TokenHash string
	UserID    int64
	Purpose   TokenPurpose
	CreatedAt time.Time
	ExpiresAt time.Time
}
