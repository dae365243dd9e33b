package metrics

import (
	"math"
	"strconv"
	"strings"
)

// encoder writes the Prometheus text exposition format, version 0.0.4.
type encoder struct{ buf []byte }

var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)

var labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)

func (e *encoder) header(name, help, kind string) {
	e.buf = append(e.buf, "# HELP "...)
	e.buf = append(e.buf, name...)
	e.buf = append(e.buf, ' ')
	e.buf = append(e.buf, helpEscaper.Replace(help)...)
	e.buf = append(e.buf, "\n# TYPE "...)
	e.buf = append(e.buf, name...)
	e.buf = append(e.buf, ' ')
	e.buf = append(e.buf, kind...)
	e.buf = append(e.buf, '\n')
}

// sample writes one line; extra, when set, is one more label after the
// series' own (a histogram bucket's "le").
func (e *encoder) sample(name string, labels, values []string, extra, extraValue string, v float64) {
	e.buf = append(e.buf, name...)
	if len(labels) > 0 || extra != "" {
		e.buf = append(e.buf, '{')
		for i, l := range labels {
			e.label(i > 0, l, values[i])
		}
		if extra != "" {
			e.label(len(labels) > 0, extra, extraValue)
		}
		e.buf = append(e.buf, '}')
	}
	e.buf = append(e.buf, ' ')
	e.buf = append(e.buf, formatFloat(v)...)
	e.buf = append(e.buf, '\n')
}

func (e *encoder) label(comma bool, name, value string) {
	if comma {
		e.buf = append(e.buf, ',')
	}
	e.buf = append(e.buf, name...)
	e.buf = append(e.buf, `="`...)
	e.buf = append(e.buf, labelEscaper.Replace(value)...)
	e.buf = append(e.buf, '"')
}

// single writes a metric that has one unlabelled sample.
func (e *encoder) single(name, help, kind string, v float64) {
	e.header(name, help, kind)
	e.sample(name, nil, nil, "", "", v)
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
