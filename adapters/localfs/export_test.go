package localfs

// SetVersionFault makes each step op of s fail with what fault returns.
func SetVersionFault(s *VersionStore, fault func(op string) error) { s.fault = fault }
