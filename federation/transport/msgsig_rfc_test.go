package transport

import (
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The keys of RFC 9421 appendix B.1.2 (test-key-rsa-pss) and B.1.4
// (test-key-ed25519), public halves.
const (
	rfcKeyRSAPSS = `-----BEGIN PUBLIC KEY-----
MIIBIDALBgkqhkiG9w0BAQoDggEPADCCAQoCggEBAK+LZpt69tFnfz26rz9bNvkB
Lb6bkWlfGKuNII1EfMtkY8WunaRthlx2z37zLPHLfi4dRh+OcdvEcN0cud5pvqAF
48kPOjpw5GeTfJWG4IA+Dt8OjOqQLy5IZPeQJ3U64n2yBTzVPDzzDuzsqxQB6oA7
M54zxZkzrQhHDdmdRaVoHIcLmCzy/lqJKpbXddZ6qs4vmyfXL0igA2HVAADeVlLc
3aYsui204EsT+6HIlOE59IOSOmg2SewPC86NCksmWKAOPOZqnDtBlQHVcPZauGjk
/b+nfp2+G5zZEFZJS0N31QLyZvsXQzqfSwjQjePFdqZwzpBVevlPZ1eaMnOlyNsC
AwEAAQ==
-----END PUBLIC KEY-----`
	rfcKeyEd25519 = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
-----END PUBLIC KEY-----`
)

// The request of RFC 9421 appendix B.2.
const rfcContentDigest = "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"

func rfcRequest() *http.Request {
	r := httptest.NewRequest(http.MethodPost, "https://example.com/foo?param=Value&Pet=dog", strings.NewReader(`{"hello": "world"}`))
	r.Header.Set("Date", "Tue, 20 Apr 2021 02:07:55 GMT")
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Content-Digest", rfcContentDigest)
	r.Header.Set("Content-Length", "18")
	return r
}

// rfcRSAPSSKey reads the RFC's RSA-PSS key, whose algorithm identifier
// (id-RSASSA-PSS) Go's x509 does not take: the key inside is PKCS#1.
func rfcRSAPSSKey(t *testing.T) *rsa.PublicKey {
	t.Helper()
	block, _ := pem.Decode([]byte(rfcKeyRSAPSS))
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		Key       asn1.BitString
	}
	if _, err := asn1.Unmarshal(block.Bytes, &spki); err != nil {
		t.Fatal(err)
	}
	k, err := x509.ParsePKCS1PublicKey(spki.Key.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func rfcEd25519Key(t *testing.T) ed25519.PublicKey {
	t.Helper()
	block, _ := pem.Decode([]byte(rfcKeyEd25519))
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(ed25519.PublicKey)
}

// The signatures of RFC 9421 appendix B.2 verify, over signature bases
// built byte for byte as the RFC prints them; a base one byte off does
// not verify.
func TestMessageSignatureRFCVectors(t *testing.T) {
	t.Parallel()
	pss, ed := rfcRSAPSSKey(t), rfcEd25519Key(t)
	cases := []struct {
		name, input, signature string
		key                    any
		base                   string
	}{
		{
			name:      "B.2.1 minimal",
			input:     `sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"`,
			signature: `sig-b21=:d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbtRxf8Udx7zFZsckzXaJMkA7ChG52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2cOGdCbzR72rgFWhzx2VjBqJzsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6UnCh8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SITLq9mhho8K3+7EPYTU8IU1bLhdxO5Nyt8C8ssinQ98Xw9Q==:`,
			key:       pss,
			base:      `"@signature-params": ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"`,
		},
		{
			name:      "B.2.2 selective",
			input:     `sig-b22=("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example"`,
			signature: `sig-b22=:LjbtqUbfmvjj5C5kr1Ugj4PmLYvx9wVjZvD9GsTT4F7GrcQEdJzgI9qHxICagShLRiLMlAJjtq6N4CDfKtjvuJyE5qH7KT8UCMkSowOB4+ECxCmT8rtAmj/0PIXxi0A0nxKyB09RNrCQibbUjsLS/2YyFYXEu4TRJQzRw1rLEuEfY17SARYhpTlaqwZVtR8NV7+4UKkjqpcAoFqWFQh62s7Cl+H2fjBSpqfZUJcsIk4N6wiKYd4je2U/lankenQ99PZfB4jY3I5rSV2DSBVkSFsURIjYErOs0tFTQosMTAoxk//0RoKUqiYY8Bh0aaUEb0rQl3/XaVe4bXTugEjHSw==:`,
			key:       pss,
			base: `"@authority": example.com
"content-digest": ` + rfcContentDigest + `
"@query-param";name="Pet": dog
"@signature-params": ("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example"`,
		},
		{
			name:      "B.2.3 full coverage",
			input:     `sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"`,
			signature: `sig-b23=:bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==:`,
			key:       pss,
			base: `"date": Tue, 20 Apr 2021 02:07:55 GMT
"@method": POST
"@path": /foo
"@query": ?param=Value&Pet=dog
"@authority": example.com
"content-type": application/json
"content-digest": ` + rfcContentDigest + `
"content-length": 18
"@signature-params": ("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"`,
		},
		{
			name:      "B.2.6 ed25519",
			input:     `sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"`,
			signature: `sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:`,
			key:       ed,
			base: `"date": Tue, 20 Apr 2021 02:07:55 GMT
"@method": POST
"@path": /foo
"@authority": example.com
"content-type": application/json
"content-length": 18
"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sigs, err := ParseMessageSignatures([]string{c.input}, []string{c.signature})
			if err != nil || len(sigs) != 1 {
				t.Fatalf("parse: %v (%d signatures)", err, len(sigs))
			}
			ms := sigs[0]
			base, err := signatureBase(rfcRequest(), &ms)
			if err != nil {
				t.Fatal(err)
			}
			if string(base) != c.base {
				t.Fatalf("signature base:\n%s\nwant:\n%s", base, c.base)
			}
			ms.base = base
			if err := ms.verify(c.key); err != nil {
				t.Fatalf("verify: %v", err)
			}
			ms.base = append([]byte{}, base...)
			ms.base[len(ms.base)-2] ^= 1
			if err := ms.verify(c.key); err == nil {
				t.Fatal("a base one bit off verified")
			}
		})
	}
}

// B.2.3 covers what our rules ask (method, authority, path, query,
// content-digest, created): at its own time, the whole request verifies,
// Content-Digest against the body included.
func TestMessageSignatureRFCFullRequest(t *testing.T) {
	t.Parallel()
	r := rfcRequest()
	r.Header.Set("Signature-Input", `sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"`)
	r.Header.Set("Signature", `sig-b23=:bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==:`)
	now := time.Unix(1618884473, 0).Add(time.Minute)
	id, err := VerifyRequest(r, []byte(`{"hello": "world"}`), now, staticLookup(rfcRSAPSSKey(t)))
	if err != nil || id != "test-key-rsa-pss" {
		t.Fatalf("verify: %q %v", id, err)
	}
	if _, err := VerifyRequest(r, []byte(`{"hello": "World"}`), now, staticLookup(rfcRSAPSSKey(t))); err == nil || !strings.Contains(err.Error(), "Content-Digest does not match") {
		t.Fatalf("another body: %v", err)
	}
	if _, err := VerifyRequest(r, []byte(`{"hello": "world"}`), now.Add(2*time.Hour), staticLookup(rfcRSAPSSKey(t))); err == nil {
		t.Fatal("verified two hours later")
	}
}
