// Command seed fills a SQLite database with the public site's fixture, for
// the benchmark script (.ci/bench-site) and for looking at the pages by
// hand: go run ./internal/site/sitetest/seed -data-dir data
// It prints the paths of the seeded post and organisation.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/soga/newsroom/internal/site/sitetest"
	"github.com/soga/newsroom/internal/store/sqlite"
)

func main() {
	dataDir := flag.String("data-dir", "data", "newsroom's data directory (database newsroom.db, media/)")
	flag.Parse()
	if err := run(*dataDir); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func run(dataDir string) error {
	ctx := context.Background()
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return err
	}
	st, err := sqlite.Open(ctx, filepath.Join(dataDir, "newsroom.db"), sqlite.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	fx, err := sitetest.Seed(ctx, st, filepath.Join(dataDir, "media"), time.Now())
	if err != nil {
		return err
	}
	fmt.Printf("post=/orgs/%s/posts/%s\n", fx.SoGA.Handle, fx.Article.ID)
	fmt.Printf("actor=/orgs/%s\n", fx.SoGA.Handle)
	return nil
}
