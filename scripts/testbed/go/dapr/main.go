// Command daprd is Dapr's sidecar with only the components this project uses compiled in: Redis pub/sub
// (deploy/dapr/pubsub.yaml) and SQLite name resolution (service invocation between sidecars on one host).
// Upstream selects components with the allcomponents/stablecomponents build tags, which compile well over a
// hundred components and their cloud SDKs; the test-bed build deletes the package's no-tag guard with an
// overlay instead (see scripts/testbed/go-build.ts) and registers the two here.
package main

import (
	"github.com/dapr/components-contrib/nameresolution/sqlite"
	"github.com/dapr/components-contrib/pubsub/redis"
	"github.com/dapr/dapr/cmd/daprd/app"
	nameResolutionLoader "github.com/dapr/dapr/pkg/components/nameresolution"
	pubsubLoader "github.com/dapr/dapr/pkg/components/pubsub"
)

func init() {
	pubsubLoader.DefaultRegistry.RegisterComponent(redis.NewRedisStreams, "redis")
	nameResolutionLoader.DefaultRegistry.RegisterComponent(sqlite.NewResolver, "sqlite")
}

func main() {
	app.Run()
}
