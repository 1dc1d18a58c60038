// Command etcd is the etcd server of go.etcd.io/etcd/server/v3, built here because no binary can be downloaded.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
