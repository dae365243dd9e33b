// Package web holds the templates, message catalogues and static assets,
// embedded in the binary so a deployment is one file.
package web

import "embed"

// Templates are html/template files: layout.html plus one file a page.
//
//go:embed templates/*.html
var Templates embed.FS

// Static assets, served at content-hash URLs.
//
//go:embed static
var Static embed.FS

// I18n holds one message catalogue a language (go-i18n JSON).
//
//go:embed i18n/*.json
var I18n embed.FS
