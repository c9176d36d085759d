package cli

import (
	"strings"

	"github.com/gostca/gostca/crypto/gost3410"
)

// defaultKeyType is the key type of init and key new.
const defaultKeyType = "gost2012-256:A"

// keyTypes maps OpenSSL's GOST engine names (algorithm:paramset) to the
// parameter sets.
var keyTypes = map[string]string{
	"gost2012-256:a":   "cryptopro-a",
	"gost2012-256:b":   "cryptopro-b",
	"gost2012-256:c":   "cryptopro-c",
	"gost2012-256:xa":  "cryptopro-xcha",
	"gost2012-256:xb":  "cryptopro-xchb",
	"gost2012-256:tca": "tc26-256-a",
	"gost2012-256:tcb": "tc26-256-b",
	"gost2012-256:tcc": "tc26-256-c",
	"gost2012-256:tcd": "tc26-256-d",
	"gost2012-512:a":   "tc26-512-a",
	"gost2012-512:b":   "tc26-512-b",
	"gost2012-512:c":   "tc26-512-c",
}

const keyTypeHelp = "key `TYPE`: gost2012-256:A|B|C|XA|XB|TCA|TCB|TCC|TCD or gost2012-512:A|B|C (OpenSSL's names), or a parameter set name such as cryptopro-a or tc26-512-c"

// parseKeyType returns the parameter set of a key type: OpenSSL's
// "gost2012-256:A" form (also with _ for -), or a gost3410 name
// ("cryptopro-a", "tc26-512-c", an RFC name or a dotted OID). The test
// parameter sets are refused.
func parseKeyType(s string) (*gost3410.Params, error) {
	if isTokenURI(s) {
		return nil, usagef("%q is a PKCS#11 URI, not a key type", s).
			withHint("only 'gostca init --key' takes a key in a token; make one with 'gostca token keygen URI --key TYPE'")
	}
	name := strings.ToLower(strings.ReplaceAll(s, "_", "-"))
	if n, ok := keyTypes[name]; ok {
		name = n
	} else if alg, set, ok := strings.Cut(name, ":"); ok {
		// "gost2012-256:cryptopro-a": check that the size matches.
		p, err := gost3410.ParamsByName(set)
		if err != nil || (alg != "gost2012-256" || p.Bits() != 256) && (alg != "gost2012-512" || p.Bits() != 512) {
			return nil, usagef("unknown key type %q", s).withHint("key types: %s", keyTypeList())
		}
		name = set
	}
	p, err := gost3410.ParamsByName(name)
	if err != nil || p.IsTest() {
		return nil, usagef("unknown key type %q", s).withHint("key types: %s", keyTypeList())
	}
	return p, nil
}

func keyTypeList() string {
	return "gost2012-256:A, B, C, XA, XB, TCA, TCB, TCC, TCD; gost2012-512:A, B, C"
}
