package cli

// Duration is how the CLI writes a duration, for its table test.
var Duration = duration
