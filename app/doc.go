// Package app holds photosync's use cases: concrete services that take
// ports in their constructors and are called by the inbound adapters (HTTP,
// CLI, Lambda). It knows no HTTP, SQL, WebDAV or environment.
package app
