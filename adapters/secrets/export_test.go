package secrets

// KeySize is the size of a key in bytes, for the tests that make keys.
const KeySize = keySize
