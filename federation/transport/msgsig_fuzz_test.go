package transport

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// The RFC 8941 fields of a message signature are read without panics,
// within our bounds, and what is accepted reads back the same: the
// @signature-params line we sign over, parsed again, gives the same
// signature.
func FuzzParseMessageSignatures(f *testing.F) {
	seeds := [][2]string{
		{`sig1=("@method" "@target-uri" "content-digest");keyid="https://m.test/users/a#main-key";alg="rsa-v1_5-sha256";created=1700000000`, `sig1=:AAEC:`},
		{`sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"`, `sig-b21=:d2pm:`},
		{`sig-b22=("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="k";tag="header-example"`, `sig-b22=:LjbtqUbf:`},
		{`a=("@method"), b=("@path";x)`, `a=:AA==:, b=:AA==:`},
		{`sig1=("@method" "@method")`, `sig1=:AA==:`},
		{`sig1=(`, `sig1=:`},
		{`sig1=("x";name="\"")`, `sig1=?1`},
		{`sig1=("@query-param";name="a";name="b");keyid="k"`, `sig1=:AA==:;p=1`},
		{"sig1=(\"@method\");keyid=\"k\"\x00", `sig1=:AA==:`},
		{strings.Repeat(`s=(),`, 20), `s=:AA==:`},
		{`sig1=("content-digest");keyid="k";created=99999999999999999999`, `sig1=:AA==:`},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, input, signature string) {
		sigs, err := ParseMessageSignatures([]string{input}, []string{signature})
		checkContentDigest([]string{input}, []byte(signature))
		if err != nil {
			return
		}
		if len(sigs) == 0 || len(sigs) > maxMessageSignatures {
			t.Fatalf("%d signatures", len(sigs))
		}
		r := httptest.NewRequest("POST", "http://news.test/inbox?a=1", nil)
		for _, ms := range sigs {
			if validKeyID(ms.KeyID) != nil || ms.KeyID == "" {
				t.Fatalf("bad keyid %q accepted", ms.KeyID)
			}
			if len(ms.Signature) == 0 || len(ms.Signature) > maxSignatureBytes || len(ms.Components) > maxComponents {
				t.Fatalf("out of bounds: %d bytes, %d components", len(ms.Signature), len(ms.Components))
			}
			again, err := ParseMessageSignatures([]string{ms.Label + "=" + ms.params}, []string{signature})
			if err != nil {
				t.Fatalf("params %q do not parse again: %v", ms.params, err)
			}
			if len(again) != 1 || again[0].params != ms.params || again[0].KeyID != ms.KeyID || again[0].Created != ms.Created {
				t.Fatalf("params %q read back differently", ms.params)
			}
			signatureBase(r, &ms)
		}
	})
}
