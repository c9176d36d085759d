package gost3410

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}

func reversed(b []byte) []byte {
	r := append([]byte(nil), b...)
	reverse(r)
	return r
}

// TestStandardExamples reproduces the two examples of GOST R 34.10-2012
// (RFC 7091 §7.1, §7.2) with their fixed nonce k: the public key from d, and
// (r, s) from d, e and k. The standard prints every value as a big-endian
// integer; our APIs take the digest and keys in their little-endian wire
// form, hence the reversals.
func TestStandardExamples(t *testing.T) {
	tests := []struct {
		name               string
		params             *Params
		d, qx, qy, e, k, r string
		s                  string
	}{
		{
			name:   "256-bit/TestParamSet",
			params: ParamsTest256(),
			d:      "7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28",
			qx:     "7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B",
			qy:     "26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA",
			e:      "2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5",
			k:      "77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3",
			r:      "41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493",
			s:      "01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40",
		},
		{
			name:   "512-bit/paramSetTest",
			params: ParamsTest512(),
			d: `0BA6048AADAE241BA40936D47756D7C93091A0E8514669700EE7508E508B1020
			    72E8123B2200A0563322DAD2827E2714A2636B7BFD18AADFC62967821FA18DD4`,
			qx: `115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD
			     5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1`,
			qy: `37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61
			     EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC`,
			e: `3754F3CFACC9E0615C4F4A7C4D8DAB531B09B6F9C170C533A71D147035B0C591
			    7184EE536593F4414339976C647C5D5A407ADEDB1D560C4FC6777D2972075B8C`,
			k: `0359E7F4B1410FEACC570456C6801496946312120B39D019D455986E364F3658
			    86748ED7A44B3E794434006011842286212273A6D14CF70EA3AF71BB1AE679F1`,
			r: `2F86FA60A081091A23DD795E1E3C689EE512A3C82EE0DCC2643C78EEA8FCACD3
			    5492558486B20F1C9EC197C90699850260C93BCBCD9C5C3317E19344E173AE36`,
			s: `1081B394696FFE8E6585E7A9362D26B6325F56778AADBC081C0BFBE933D52FF5
			    823CE288E8C4F362526080DF7F70CE406A6EEB1F56919CB92A9853BDE73E5B4A`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			priv, err := NewPrivateKey(tt.params, reversed(unhex(t, tt.d)))
			if err != nil {
				t.Fatal(err)
			}
			wantPub := append(reversed(unhex(t, tt.qx)), reversed(unhex(t, tt.qy))...)
			if got := priv.PublicKey().Bytes(); !bytes.Equal(got, wantPub) {
				t.Errorf("public key\n got %x\nwant %x", got, wantPub)
			}

			curve := tt.params.ec()
			digest := reversed(unhex(t, tt.e)) // e = LE(digest)
			k, err := curve.NewScalar().SetBytes(unhex(t, tt.k))
			if err != nil {
				t.Fatal(err)
			}
			e := curve.NewScalar()
			setDigestScalar(e, digest)
			sig := make([]byte, 2*curve.Size())
			if !signWithNonce(curve, sig, priv.d, e, k) {
				t.Fatal("signWithNonce refused the standard's nonce")
			}
			want := append(unhex(t, tt.s), unhex(t, tt.r)...)
			if !bytes.Equal(sig, want) {
				t.Errorf("signature (s||r)\n got %x\nwant %x", sig, want)
			}
			if err := priv.PublicKey().Verify(digest, want); err != nil {
				t.Errorf("Verify(standard signature) = %v", err)
			}
		})
	}
}

// TestCryptoProVectors verifies the raw signatures CryptoPro CSP made for
// interop testing (gost.md §6.4). They are in CryptoAPI order, the byte
// reversal of s||r.
func TestCryptoProVectors(t *testing.T) {
	tests := []struct {
		name   string
		params *Params
		hash   string
		sig    string // CryptoAPI order
		pub    string // LE(x) || LE(y)
	}{
		{"CryptoPro-A", ParamsCryptoProA(),
			"4f49b39ea006d0da4d8150610866a118a6042598b9660032c540d6eb1a8570ee",
			"7ee299b950781ce4dca668cf6e88dc293f138f12141a033a09017852827ddc7bf0e549939dbf954bb4b14072de1586111df963f2e7efb7bd73f7b7d19561ba1c",
			"f069af90eee4a33352a2e80c72e620afb76603e5ff85f3aa5f382f8e44ef510f82594a9910b889cd78d2baf197feebe674c196909771ad169f9b37dd2b44ff2d"},
		{"CryptoPro-B", ParamsCryptoProB(),
			"10de3d7aee6ec00d579b4bb292b8e54e751992fe7191f7f272e7774751f7ec26",
			"9c277622b84ab62bba2ee3d5897289537c2db7708ad57b61dfd1d67f77ffdb4eee98fc2cdeaac7de42ee40125ec8fe0e9780b96aac93adee96e1dbc6f2acf422",
			"6a8a5e3200edd3a73883587dbde9fda900aee84fff71d2a07914d4b4b2009a0a5121d51905f1b76c2e3a18dd82677f960b1a7693f76aca15cdeea1d2ded55620"},
		{"CryptoPro-C", ParamsCryptoProC(),
			"8cfe45bd4f9deb8078a7a3fbb3062ae4d6f41a0b31eb82b81332d6a2ae80f1f7",
			"d316bb65486d2d551413ae20312ba56b32560ccfb34859633c8fd6989d88b134abbd043966e59d63aaab63986c0654c2dbd06a6e57b32341ab22bb1337183e08",
			"ba43e0f40d3e5060cec7e70c348f2122f4367e0e3549926689920b6237f86982b70e32295fd64456bb16d08d3be5c2b5ce994ddd41f9e79814bdc587ae8df125"},
		{"TC26-256-A", ParamsTC26256A(),
			"fd39ea889089d81ee24911db5171480ad727ccbad219f49e98c63d1fb57c242f",
			"0dc4ca982b1551d474362410ea212d8ebb6cbb5ee526763d8862c52b5f93f9014649d60f304445550bc6636020260908852e16be14463189a6d352bad5516924",
			"3b8a6a5efe6230313a349a6af0c4924ef4f80ef6e1f23fe19aa97a77973a11e8d2a85fd149e0bdab28d52b0206998e7effdb2ade9211345dcf40ee0bd0618975"},
		{"TC26-512-A", ParamsTC26512A(),
			"e925047212c3820600b676f44d71e442493e5723bfbdbf947c0e2daa4836f59a4d6602420ecc94df7d21f8691dfd4556424c69178e21be4f2cc861dba724ec48",
			"c3e5fae85f3588134922c21d5f73d437341def56046b176d0071c914f0033f64ca673a6efe8b1d36dd57e3287464f1d0899a9bddf6bb9b58a48f56b5def99e7062c8f319e34b730f955d2097745caa02b7fafd33d5bce4dd9a6698ebe95103662510f58fb4454fb53a6156cf8c1ed8af4bec54db434ed6553fa345150674fa6c",
			"b2bf4523005770aeab5b63eca85fcfd0ba8864793db67088e8d8a4959eb978739f0a3474edffb97e341be02ae2d807e9c2d284399e360f7ae2562a816c949d5e6e6894fd7514e507ed452b07e1b2792a2134219502f2afdc8ad7a3724c02a2f859e29158011d55c6ec73ea445b35085caca0b94b28e7bd8bb2789b4f46c9d684"},
		{"TC26-512-B", ParamsTC26512B(),
			"6a551581502a14226fd14b50b1e26c80c48421f96346afe8e02cfd411e49016b003ceb5f6b34a9932d862fea58838151f7a2cc0faead406582c65305aeeb22b8",
			"15fdd43b575a974e0de6bcb51f913f8beee988f3943db6096bd6ba8542e8f4ce0df58dd1afc9c4a7823ebb7f7250f5360654103189a9801a5548b7eab3ae774ec14552ddbfa98e0210808f9cd18536ba7c20862edb250c1b53ba2639e0d4e6e74ba1027dd4746b6e82dd92a2a4bad4b6f9575767b65aa27296eae92ea9117327",
			"8697e719035e54a6e87aeed576c4c4724a5955eb72f7e062b10d1b793272830d1f7b74122920fd23aa8c77a123387f7307948a3446db7cfb46f063e9d3afc84b786599ae717f45f87cf30a2f97eb851a22676578a5f8f28ce8f59b75a83d81c17f692394de89fc65b3fe1891c003bedac87d48124f75c5aeb450a0fc27c1e700"},
		{"TC26-512-C", ParamsTC26512C(),
			"bd82f13433749cc29e9567572c6d833dfdbd7cd7aae728f981b9cfae4aaa177d847925c566aa9e28664195c4fff672ef0e08c60b2e0fcbc6964a770d14e535c0",
			"351e65ae90b0050402f522ace45d8c35172bffd7ca950ef9852ad0a0e10443ca709adf35d7d88dc278844ccf58259cd2405aecb39a776b4f6326ddb2198e9c39095572d6dd69901eb61d3697499899674a3bcd2deb32ca444fb6c09c4bf9182e42af8be445e845eff41096f416caebd172cc3228a8460334653e47b2c399e236",
			"a98517f7fe1c438abede79e862fe510ea7ea054634d9545bfdb4c5cba69cfc904b5914a1e72ade2bb8869eb5dbb3d3d79588cbee332082b2acbf79df2e88f05a62902652ad6467361be6ca5709eff5560e32dfb46cc8a8bbcb4cb4ba6341ba1dabb01282fd5037db6908f27d9ec0f7a6e950269488085edd34c5c19d50504aae"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub, err := NewPublicKey(tt.params, unhex(t, tt.pub))
			if err != nil {
				t.Fatal(err)
			}
			hash, sig := unhex(t, tt.hash), reversed(unhex(t, tt.sig))
			if err := pub.Verify(hash, sig); err != nil {
				t.Fatalf("Verify = %v", err)
			}
			hash[0] ^= 1
			if err := pub.Verify(hash, sig); err == nil {
				t.Error("Verify accepted the signature over a changed digest")
			}
		})
	}
}

// TestRFC9215Keys checks the key pairs of RFC 9215 App. D: d gives (X, Y),
// including on the twisted Edwards set TC26 256 paramSetA.
func TestRFC9215Keys(t *testing.T) {
	tests := []struct {
		name    string
		params  *Params
		d, x, y string
	}{
		{"D.1/test-256", ParamsTest256(),
			"7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28",
			"7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B",
			"26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA"},
		{"D.2/tc26-256-a", ParamsTC26256A(),
			"3A929ADE789BB9BE10ED359DD39A72C10B87C83F80BE18B85C041F4325B62EC1",
			"99C3DF265EA59350640BA69D1DE04418AF3FEA03EC0F85F2DD84E8BED4952774",
			"E218631A69C47C122E2D516DA1C09E6BD19344D94389D1F16C0C4D4DCF96F578"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			priv, err := NewPrivateKey(tt.params, reversed(unhex(t, tt.d)))
			if err != nil {
				t.Fatal(err)
			}
			want := append(reversed(unhex(t, tt.x)), reversed(unhex(t, tt.y))...)
			if got := priv.PublicKey().Bytes(); !bytes.Equal(got, want) {
				t.Errorf("public key\n got %x\nwant %x", got, want)
			}
		})
	}
}
