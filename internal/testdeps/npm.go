// Package testdeps finds the test dependencies that Go's module cache
// does not hold: npm packages, which .ci/deps installs into the module's
// .cache/ directory (not under version control).
package testdeps

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// NPM returns the path of file inside the npm package name, installed as
// spec (name@version) into .cache/node_modules, installing it there with
// npm when it is missing. Its error says what is missing, for a test to
// skip or fail with.
func NPM(spec, name, file string) (string, error) {
	dir, err := Root()
	if err != nil {
		return "", err
	}
	cache := filepath.Join(dir, ".cache")
	path := filepath.Join(cache, "node_modules", name, file)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", fmt.Errorf("%s is not in .cache/ and npm is not installed", name)
	}
	cmd := exec.Command(npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", cache, spec)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("npm install %s: %v: %s", spec, err, out)
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("%s is not installed in .cache/", name)
	}
	return path, nil
}

// Root is the module's directory, found from the test's working
// directory.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Missing skips t for lack of what, or fails it when the environment
// variable require is 1, as `make test` sets it: there a missing
// dependency must not pass as a skipped test.
func Missing(t testing.TB, require, what string) {
	t.Helper()
	msg := what + ": install the test dependencies with `make deps`"
	if os.Getenv(require) == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}
