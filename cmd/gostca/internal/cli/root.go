// Package cli is the gostca command line: a cobra command tree, one file
// per verb, over the library (ca, store, crypto/...).
//
// NewRootCommand builds the tree from an Env, which carries everything the
// commands take from the outside world (standard streams, environment,
// clock), so that tests run commands in-process with SetArgs and Execute;
// nothing here reads os.Args, os.Getenv or the clock directly. Run is what
// main calls. The output rules and exit codes are in output.go.
package cli

import (
	"errors"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
)

// Env is the outside world of the commands.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv reads an environment variable (os.Getenv).
	Getenv func(string) string
	// Now is the clock (time.Now).
	Now func() time.Time
	// Version is the version string "gostca version" prints.
	Version string
}

// OSEnv returns the Env of a real process.
func OSEnv(version string) Env {
	return Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv: os.Getenv, Now: time.Now, Version: version,
	}
}

// app is the state shared by the commands of one tree.
type app struct {
	env Env
	// dir is the CA directory (--dir).
	dir string
}

// errUsage marks cobra's own errors (flags, arguments) as usage errors.
var errUsage = errors.New("usage")

// NewRootCommand returns the gostca command tree.
func NewRootCommand(env Env) *cobra.Command {
	a := &app{env: env}
	root := &cobra.Command{
		Use:   "gostca",
		Short: "A GOST R 34.10-2012 certificate authority",
		Long: `gostca runs a certificate authority for GOST R 34.10-2012 certificates:
it creates root and intermediate CAs, makes subscriber keys and requests,
issues, renews, revokes and holds certificates, and publishes CRLs, keeping
everything in an issuance ledger with a hash-chained audit log.

The CA lives in a directory: --dir, else $GOSTCA_DIR, else ./gostca.
Passphrases come from --pass-file, else $GOSTCA_PASSPHRASE, else a
terminal prompt; never from a flag.

Exit codes: 0 success, 1 error (nothing was changed), 2 usage error.`,
		Example: `  gostca init --subject "CN=Example CA,O=Example,C=RU"
  gostca key new --out alice.key
  gostca csr --key alice.key --subject "CN=Alice,C=RU" --out alice.csr
  gostca issue --csr alice.csr --profile signature --out alice.pem`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if a.dir == "" {
				a.dir = a.env.Getenv("GOSTCA_DIR")
			}
			if a.dir == "" {
				a.dir = "gostca"
			}
			return nil
		},
	}
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.PersistentFlags().StringVar(&a.dir, "dir", "", "the CA directory (default $GOSTCA_DIR, else ./gostca)")
	root.CompletionOptions.HiddenDefaultCmd = false

	root.AddCommand(
		a.initCommand(),
		a.importCACommand(),
		a.keyCommand(),
		a.csrCommand(),
		a.issueCommand(),
		a.renewCommand(),
		a.revokeCommand(),
		a.holdCommand(),
		a.releaseCommand(),
		a.requestCommand(),
		a.listCommand(),
		a.showCommand(),
		a.crlCommand(),
		a.serveCommand(),
		a.exportCommand(),
		a.verifyCommand(),
		a.signCommand(),
		a.verifySignatureCommand(),
		a.auditCommand(),
		a.backupCommand(),
		a.restoreCommand(),
		a.ledgerCommand(),
		a.tokenCommand(),
		a.versionCommand(),
	)
	prepare(root)
	return root
}

// prepare sends the flag errors of every command through usageFor, and
// marks in the root's annotations when a command's RunE starts: cobra
// checks flags, arguments and required flags before, so an error before
// that mark is a usage error.
func prepare(c *cobra.Command) {
	c.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return usageFor(cmd, err) })
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			cmd.Root().Annotations = map[string]string{"started": "1"}
			return run(cmd, args)
		}
	}
	for _, sub := range c.Commands() {
		prepare(sub)
	}
}

// usageFor turns a cobra error into a usage error with a hint.
func usageFor(cmd *cobra.Command, err error) error {
	return usagef("%v", err).withHint("run '%s --help'", cmd.CommandPath()).because(errUsage)
}

// usageArgs wraps an argument validator so that its errors are usage
// errors.
func usageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return usageFor(cmd, err)
		}
		return nil
	}
}

// Run runs the command line args (without the program name) and returns
// the exit code, having printed any error under the output rules.
func Run(env Env, args []string) int {
	root := NewRootCommand(env)
	root.SetArgs(args)
	return Execute(root, env.Stderr)
}

// Execute executes root and returns the exit code; errors are printed to
// stderr. An error cobra returns before any command ran (an unknown flag,
// a missing required flag) is a usage error.
func Execute(root *cobra.Command, stderr io.Writer) int {
	cmd, err := root.ExecuteC()
	if err == nil {
		return ExitOK
	}
	var ce *cliError
	if !errors.As(err, &ce) && !startedOf(root) {
		err = usageFor(cmd, err)
	}
	return printError(stderr, err)
}

// startedOf reports whether a command of root's tree began to run.
func startedOf(root *cobra.Command) bool {
	return root.Annotations != nil && root.Annotations["started"] == "1"
}
