// Command gostca runs a GOST certificate authority; see 'gostca --help'
// and docs/operator-guide.md.
package main

import (
	"os"

	"github.com/gostca/gostca/cmd/gostca/internal/cli"
)

// version is set at link time: -ldflags "-X main.version=v1.2.3".
var version string

// run is the whole program; main_test.go registers it for testscript.
func run() int {
	return cli.Run(cli.OSEnv(version), os.Args[1:])
}

func main() { os.Exit(run()) }
