//go:build tools

// Package tools pins Kueue's controller manager, so that `go mod tidy` keeps its dependencies.
// The build compiles it from a patched copy of the module (see scripts/testbed/kueue-source.ts).
package tools

import _ "sigs.k8s.io/kueue/cmd/kueue"
