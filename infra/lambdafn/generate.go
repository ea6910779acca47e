package lambdafn

//go:generate go tool wire gen .
