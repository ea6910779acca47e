package awslambda

// NewResponse lets the tests make an event answer directly.
var NewResponse = newResponse
