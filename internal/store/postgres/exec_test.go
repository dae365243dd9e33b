package postgres

import "testing"

func TestDollarPlaceholders(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = $1 AND c = $2`},
		{`SELECT '?' || ?, "odd?" FROM t WHERE x = ''''`, `SELECT '?' || $1, "odd?" FROM t WHERE x = ''''`},
		{`VALUES (?, ?), (?, ?), (?, ?), (?, ?), (?, ?), (?)`, `VALUES ($1, $2), ($3, $4), ($5, $6), ($7, $8), ($9, $10), ($11)`},
	} {
		if got := dollarPlaceholders(tc.in); got != tc.want {
			t.Errorf("dollarPlaceholders(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := rebind(tc.in); got != tc.want {
			t.Errorf("rebind(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
