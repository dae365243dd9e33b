package main

import (
	"regexp"
	"runtime/debug"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3"
// (the Makefile passes `git describe`).
var version = ""

// Version returns the release as a semantic version, which NodeInfo
// readers require (Fedify's discards a document whose version is "dev"):
// the tag without its "v", or 0.0.0-dev with the commit as build metadata
// for a build that is not a release.
func Version() string {
	raw, rev, dirty := version, "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if raw == "" && bi.Main.Version != "(devel)" {
			raw = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	return semanticVersion(raw, rev, dirty)
}

var (
	semverRE   = regexp.MustCompile(`^v?(\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?)$`)
	describeRE = regexp.MustCompile(`^([0-9a-f]{7,40})(-dirty)?$`)
)

// semanticVersion turns what a build knows of itself into a semantic
// version: raw is a tag, a `git describe` of an untagged commit
// ("4e45327-dirty") or empty; rev and dirty come from the toolchain's VCS
// stamp.
func semanticVersion(raw, rev string, dirty bool) string {
	if m := semverRE.FindStringSubmatch(raw); m != nil {
		return m[1]
	}
	if m := describeRE.FindStringSubmatch(raw); m != nil {
		rev, dirty = m[1], m[2] != ""
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	var meta []string
	if rev != "" {
		meta = append(meta, rev)
	}
	if dirty {
		meta = append(meta, "dirty")
	}
	if len(meta) == 0 {
		return "0.0.0-dev"
	}
	return "0.0.0-dev+" + strings.Join(meta, ".")
}
