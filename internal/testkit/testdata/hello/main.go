// Command hello is what testkit's own test builds.
package main

import (
	"fmt"
	"runtime"
)

var tag = "none"

func main() { fmt.Println("hello", tag, runtime.GOOS) }
