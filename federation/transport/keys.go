package transport

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// keyBits is the size of the keys we make: what Mastodon makes, and what
// every fediverse server verifies.
const keyBits = 2048

// GenerateKey makes an RSA-2048 key pair, the private key as PKCS#8
// ("PRIVATE KEY") and the public key as PKIX ("PUBLIC KEY"), which is the
// form actors publish in publicKeyPem.
func GenerateKey() (privPEM, pubPEM string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return "", "", fmt.Errorf("generate key: %w", err)
	}
	priv, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", fmt.Errorf("marshal private key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", "", fmt.Errorf("marshal public key: %w", err)
	}
	privPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv}))
	pubPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
	return privPEM, pubPEM, nil
}

// PublicKeyPEM encodes the public half of key as PKIX PEM.
func PublicKeyPEM(key *rsa.PrivateKey) (string, error) {
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", fmt.Errorf("marshal public key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})), nil
}

// ParsePrivateKey reads an RSA private key in PKCS#8 or PKCS#1 PEM.
func ParsePrivateKey(s string) (*rsa.PrivateKey, error) {
	block, err := onePEM(s)
	if err != nil {
		return nil, fmt.Errorf("parse private key: %w", err)
	}
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse private key: %w", err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("parse private key: %T is not RSA", k)
		}
		return rk, nil
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse private key: %w", err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("parse private key: unexpected PEM type %q", block.Type)
}

// ParsePublicKey reads a public key as actors publish it: PKIX ("PUBLIC
// KEY", what Mastodon sends) or PKCS#1 ("RSA PUBLIC KEY", seen from older
// servers). Only RSA keys are returned, since only RSA signatures are
// verified.
func ParsePublicKey(s string) (crypto.PublicKey, error) {
	block, err := onePEM(s)
	if err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse public key: %w", err)
		}
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("parse public key: %T is not RSA", k)
		}
		return rk, nil
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse public key: %w", err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("parse public key: unexpected PEM type %q", block.Type)
}

// onePEM decodes the first PEM block of s. Some servers escape the newlines
// of publicKeyPem as literal "\n"; those are undone first.
func onePEM(s string) (*pem.Block, error) {
	if !strings.Contains(s, "\n") && strings.Contains(s, `\n`) {
		s = strings.ReplaceAll(s, `\n`, "\n")
	}
	block, _ := pem.Decode([]byte(strings.TrimSpace(s)))
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	return block, nil
}
