//go:build !amd64 || purego

package gostec

func mulPM4(z, x, y *limbs, c uint64) { mulPM4Generic(z, x, y, c) }
func sqrPM4(z, x *limbs, c uint64)    { sqrPM4Generic(z, x, c) }
func mulPM8(z, x, y *limbs, c uint64) { mulPM8Generic(z, x, y, c) }
func sqrPM8(z, x *limbs, c uint64)    { sqrPM8Generic(z, x, c) }
