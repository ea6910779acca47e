// Command photosync-lambda is the bootstrap of photosync's AWS Lambda
// function (runtime provided.al2023): API Gateway HTTP API and function
// URL requests, scheduled syncs and direct invocations. Build it with
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap ./cmd/photosync-lambda
//
// and see infra/deploy/README.md.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/photosync/photosync/infra/lambdafn"
)

func main() {
	// RunLambda returns only when the function cannot run.
	err := lambdafn.RunLambda(context.Background(), os.Getenv, os.Stderr)
	fmt.Fprintln(os.Stderr, "photosync-lambda:", err)
	os.Exit(1)
}
