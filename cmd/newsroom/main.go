// Command newsroom serves an association's news to the fediverse.
//
// This package is the composition root: it reads the configuration,
// opens the store, starts the job workers and the HTTP server, and wires
// every concrete type together. Nothing imports it.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], env{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, useTempDir: useTempDir,
	}))
}
