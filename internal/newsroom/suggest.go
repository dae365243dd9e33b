package newsroom

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// letters spelled in two by the handle suggestion, which the
// decomposition of accents leaves whole.
var ligatures = strings.NewReplacer("œ", "oe", "æ", "ae", "ß", "ss", "ø", "o", "ł", "l", "đ", "d")

// SuggestHandle makes a handle from an organisation's name, as people
// would type it: "Emmaüs Connect" becomes "emmaus-connect". Accents are
// dropped, every run of other characters becomes one hyphen, and the
// result is cut to the longest handle allowed. It may still be reserved
// or taken; validation says so.
func SuggestHandle(name string) string {
	s := ligatures.Replace(strings.ToLower(name))
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// A combining accent: the letter before it stays.
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			hyphen = true
		}
		if b.Len() >= 64 {
			break
		}
	}
	return strings.TrimRight(b.String()[:min(b.Len(), 64)], "-")
}

// CompleteWebsite completes an address typed without its scheme,
// "emmaus-connect.org" becoming "https://emmaus-connect.org/", as people
// copy it from a business card. What NormaliseWebsite cannot read is
// returned as typed, for validation to refuse with the input kept.
func CompleteWebsite(s string) string {
	if w, ok := NormaliseWebsite(s); ok {
		return w
	}
	return strings.TrimSpace(s)
}
