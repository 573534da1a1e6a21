package main

import (
	"runtime"
	"runtime/debug"
)

// version is the release, stamped by the release build:
//
//	go build -ldflags "-X main.version=$(git describe --tags --always)" ./server
var version string

// versionString is the stamped version, else what the Go toolchain recorded
// (the module version of `go install`, or the commit of a build in a
// checkout), followed by the Go version and platform.
func versionString() string {
	return releaseVersion() + " (" + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + ")"
}

// releaseVersion is the stamped version, else what the Go toolchain
// recorded: the service.version of the traces.
func releaseVersion() string {
	if version != "" {
		return version
	}
	return buildVersion(debug.ReadBuildInfo())
}

// buildVersion reads the version out of the build information.
func buildVersion(info *debug.BuildInfo, ok bool) string {
	if !ok {
		return "unknown"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if revision == "" {
		return "devel"
	}
	if len(revision) > 12 {
		revision = revision[:12]
	}
	if modified == "true" {
		revision += "-dirty"
	}
	return "devel-" + revision
}
