package infra

//go:generate go tool wire gen .
