//go:build testkit

package main

func init() { tag = "testkit" }
