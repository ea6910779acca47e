package httpapi

// MaxBodyBytes is the request body limit, for the tests that probe it.
const MaxBodyBytes = maxBodyBytes
