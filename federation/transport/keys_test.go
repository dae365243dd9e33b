package transport

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
)

func TestKeys(t *testing.T) {
	t.Parallel()
	privPEM, pubPEM, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(privPEM, "-----BEGIN PRIVATE KEY-----") || !strings.HasPrefix(pubPEM, "-----BEGIN PUBLIC KEY-----") {
		t.Fatalf("unexpected PEM types:\n%s\n%s", privPEM[:40], pubPEM[:40])
	}
	priv, err := ParsePrivateKey(privPEM)
	if err != nil {
		t.Fatal(err)
	}
	if priv.N.BitLen() != 2048 {
		t.Fatalf("key of %d bits", priv.N.BitLen())
	}
	pub, err := ParsePublicKey(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	if !priv.PublicKey.Equal(pub) {
		t.Fatal("public key does not match")
	}
	again, err := PublicKeyPEM(priv)
	if err != nil || again != pubPEM {
		t.Fatalf("PublicKeyPEM differs: %v", err)
	}

	// PKCS#1 forms, and newlines escaped as some servers send them.
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&priv.PublicKey)}))
	escaped := strings.ReplaceAll(pubPEM, "\n", `\n`)
	for _, s := range []string{pkcs1, escaped, "\n  " + pubPEM} {
		k, err := ParsePublicKey(s)
		if err != nil {
			t.Errorf("%.30q: %v", s, err)
			continue
		}
		if !priv.PublicKey.Equal(k.(*rsa.PublicKey)) {
			t.Errorf("%.30q: other key", s)
		}
	}
	rsaPriv := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)}))
	if _, err := ParsePrivateKey(rsaPriv); err != nil {
		t.Errorf("PKCS#1 private key: %v", err)
	}

	for _, bad := range []string{"", "garbage", privPEM, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"} {
		if _, err := ParsePublicKey(bad); err == nil {
			t.Errorf("ParsePublicKey accepted %.30q", bad)
		}
	}
	if _, err := ParsePrivateKey(pubPEM); err == nil {
		t.Error("ParsePrivateKey accepted a public key")
	}
}
