package transport

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseSignatureHeader(t *testing.T) {
	t.Parallel()
	p, err := ParseSignatureHeader(`keyId="https://a.test/users/x#main-key", Algorithm="RSA-SHA256",headers="(request-target) Host date",signature="AAEC"`)
	if err != nil {
		t.Fatal(err)
	}
	want := SignatureParams{
		KeyID:     "https://a.test/users/x#main-key",
		Algorithm: "rsa-sha256",
		Headers:   []string{"(request-target)", "host", "date"},
		Signature: []byte{0, 1, 2},
	}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("got %+v, want %+v", p, want)
	}
	p, err = ParseSignatureHeader(`keyId="k",created=1402170695,expires=1402170995,headers="(created) (expires)",signature="AA==",extension="ignored"`)
	if err != nil || p.Created != 1402170695 || p.Expires != 1402170995 {
		t.Fatalf("created/expires: %+v, %v", p, err)
	}

	bad := []string{
		"",
		`keyId="k"`,
		`signature="AA=="`,
		`keyId="k",signature="AA==",keyId="other"`,
		`keyId="k",headers="date",headers="(request-target) host date",signature="AA=="`,
		`keyId="k",signature="not base64!"`,
		`keyId="k" signature="AA=="`,
		`keyId="k",signature="AA==`,
		"keyId=\"k\x01\",signature=\"AA==\"",
		`keyId="",signature="AA=="`,
		`keyId="a b",signature="AA=="`,
		`keyId="k",headers="",signature="AA=="`,
		`keyId="k",headers="date da\"te",signature="AA=="`,
		`keyId="k",algorithm="rsa\"x",signature="AA=="`,
		`keyId="k",created=-5,signature="AA=="`,
		`keyId="k",signature="AA==",`,
		`=,=,=`,
		`keyId="k",signature="` + strings.Repeat("A", 2000) + `"`,
		`keyId="` + strings.Repeat("a", 9000) + `",signature="AA=="`,
		`keyId="k",signature="AA=="` + strings.Repeat(`,x="y"`, 20),
		`keyId="k",headers="` + strings.Repeat("date ", 40) + `",signature="AA=="`,
	}
	for _, h := range bad {
		if p, err := ParseSignatureHeader(h); err == nil {
			t.Errorf("%q parsed as %+v", h, p)
		}
	}
}

func FuzzParseSignatureHeader(f *testing.F) {
	seeds := []string{
		`keyId="https://mastodon.test/users/alice#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest content-type",signature="dGVzdA=="`,
		`keyId="https://gts.test/users/bob/main-key",algorithm="hs2019",headers="(request-target) host date",signature="AAEC"`,
		`keyId="k",created=1402170695,expires=1402170995,headers="(created) (expires)",signature="AA=="`,
		`keyId="k", signature="AA==" , headers = "date"`,
		`keyId="a\"b",signature="AA=="`,
		`keyId="k",signature="AA==",keyId="k2"`,
		`Signature keyId="k",signature="AA=="`,
		`keyId="k",headers="date date date",signature=AA`,
		`,,,,`,
		`keyId="` + strings.Repeat(`\`, 100) + `"`,
		"keyId=\"k\",signature=\"AA==\"\x00",
		`keyId="k",signature="` + strings.Repeat("QUFB", 400) + `"`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		p, err := ParseSignatureHeader(h)
		if err != nil {
			return
		}
		if p.KeyID == "" || len(p.Signature) == 0 || len(p.Signature) > maxSignatureBytes {
			t.Fatalf("accepted incomplete or oversized params %+v", p)
		}
		// What we parse we can write back, and read again the same.
		again, err := ParseSignatureHeader(p.String())
		if err != nil {
			t.Fatalf("re-parsing %q: %v", p.String(), err)
		}
		if !reflect.DeepEqual(p, again) {
			t.Fatalf("round trip changed %+v into %+v", p, again)
		}
	})
}
