// Package ports holds the contracts between photosync's use cases (app) and
// the technologies behind them (adapters): interfaces only, in terms of
// domain types, one file per port. Doc comments name the error codes each
// method returns; every implementation runs the contract suite in
// ports/porttest.
package ports
