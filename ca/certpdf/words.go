package certpdf

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/gost3410"
)

// The Russian words of the printed documents.

// nameField is one attribute of a distinguished name, as the copy lists
// it: in the order people read an owner (the name, the position and
// organisation, the registration numbers, then the address).
type nameField struct {
	label string
	oid   string
	get   func(*cert.Name) string
}

var nameFields = []nameField{
	{"Общее имя (CN)", "2.5.4.3", func(n *cert.Name) string { return n.CommonName }},
	{"Фамилия (SN)", "2.5.4.4", func(n *cert.Name) string { return n.Surname }},
	{"Имя и отчество (G)", "2.5.4.42", func(n *cert.Name) string { return n.GivenName }},
	{"Должность (T)", "2.5.4.12", func(n *cert.Name) string { return n.Title }},
	{"Организация (O)", "2.5.4.10", func(n *cert.Name) string { return n.Organization }},
	{"Подразделение (OU)", "2.5.4.11", func(n *cert.Name) string { return n.OrganizationalUnit }},
	{"СНИЛС", "1.2.643.100.3", func(n *cert.Name) string { return n.SNILS }},
	{"ИНН", "1.2.643.3.131.1.1", func(n *cert.Name) string { return n.INN }},
	{"ИНН юридического лица", "1.2.643.100.4", func(n *cert.Name) string { return n.INNLE }},
	{"ОГРН", "1.2.643.100.1", func(n *cert.Name) string { return n.OGRN }},
	{"ОГРНИП", "1.2.643.100.5", func(n *cert.Name) string { return n.OGRNIP }},
	{"Адрес электронной почты (E)", "1.2.840.113549.1.9.1", func(n *cert.Name) string { return n.Email }},
	{"Страна (C)", "2.5.4.6", func(n *cert.Name) string { return n.Country }},
	{"Субъект Российской Федерации (S)", "2.5.4.8", func(n *cert.Name) string { return n.Province }},
	{"Населённый пункт (L)", "2.5.4.7", func(n *cert.Name) string { return n.Locality }},
	{"Адрес (STREET)", "2.5.4.9", func(n *cert.Name) string { return n.StreetAddress }},
}

// nameRows lists the attributes of n that are set, then its Extra
// attributes (repeats under their field's label, others under their OID).
func nameRows(n *cert.Name) []row {
	var rows []row
	for _, f := range nameFields {
		if v := f.get(n); v != "" {
			rows = append(rows, textRow(f.label, v))
		}
	}
	for _, a := range n.Extra {
		label := "Атрибут " + a.Type.String()
		for _, f := range nameFields {
			if f.oid == a.Type.String() {
				label = f.label
			}
		}
		rows = append(rows, textRow(label, a.Value))
	}
	return rows
}

// keyUsages are the bits of keyUsage, in the order of RFC 5280 §4.2.1.3.
var keyUsages = []struct {
	bit  x509.KeyUsage
	name string
}{
	{x509.KeyUsageDigitalSignature, "цифровая подпись (digitalSignature)"},
	{x509.KeyUsageContentCommitment, "неотрекаемость (nonRepudiation)"},
	{x509.KeyUsageKeyEncipherment, "шифрование ключей (keyEncipherment)"},
	{x509.KeyUsageDataEncipherment, "шифрование данных (dataEncipherment)"},
	{x509.KeyUsageKeyAgreement, "согласование ключей (keyAgreement)"},
	{x509.KeyUsageCertSign, "подпись сертификатов (keyCertSign)"},
	{x509.KeyUsageCRLSign, "подпись списков отзыва (cRLSign)"},
	{x509.KeyUsageEncipherOnly, "только зашифрование (encipherOnly)"},
	{x509.KeyUsageDecipherOnly, "только расшифрование (decipherOnly)"},
}

func keyUsageWords(ku x509.KeyUsage) []string {
	var words []string
	for _, u := range keyUsages {
		if ku&u.bit != 0 {
			words = append(words, u.name)
		}
	}
	return words
}

// extKeyUsages names the extended key usages gostca issues.
var extKeyUsages = map[string]string{
	"2.5.29.37.0":       "любое назначение",
	"1.3.6.1.5.5.7.3.1": "проверка подлинности сервера (serverAuth)",
	"1.3.6.1.5.5.7.3.2": "проверка подлинности клиента (clientAuth)",
	"1.3.6.1.5.5.7.3.3": "подписание программного кода (codeSigning)",
	"1.3.6.1.5.5.7.3.4": "защищённая электронная почта (emailProtection)",
	"1.3.6.1.5.5.7.3.8": "штамп времени (timeStamping)",
	"1.3.6.1.5.5.7.3.9": "подписание ответов OCSP (OCSPSigning)",
}

// policies names the certificate policies of RFC 9215 §5.2: the classes
// of signature tools of FSB Order 795 (КС1 … КА1).
var policies = map[string]string{
	"1.2.643.100.113.1": "класс средства ЭП КС1",
	"1.2.643.100.113.2": "класс средства ЭП КС2",
	"1.2.643.100.113.3": "класс средства ЭП КС3",
	"1.2.643.100.113.4": "класс средства ЭП КВ1",
	"1.2.643.100.113.5": "класс средства ЭП КВ2",
	"1.2.643.100.113.6": "класс средства ЭП КА1",
}

// oidWords names an OID from names, with the OID after it; an OID not
// there is shown alone.
func oidWords(oids []asn1.ObjectIdentifier, names map[string]string) []string {
	var words []string
	for _, o := range oids {
		if name, ok := names[o.String()]; ok {
			words = append(words, name+" ("+o.String()+")")
		} else {
			words = append(words, o.String())
		}
	}
	return words
}

// identificationKinds are the values of identificationKind
// (1.2.643.100.114): how the owner was identified.
var identificationKinds = map[cert.IdentificationKind]string{
	cert.IdentificationPersonal:       "при личном присутствии",
	cert.IdentificationRemoteCert:     "без личного присутствия, с использованием квалифицированного сертификата",
	cert.IdentificationRemotePassport: "без личного присутствия, по паспорту с электронным носителем информации",
	cert.IdentificationRemoteSystem:   "без личного присутствия, с использованием ЕСИА и ЕБС",
}

func identificationWords(k cert.IdentificationKind) string {
	if w, ok := identificationKinds[k]; ok {
		return fmt.Sprintf("%s (%d)", w, int(k))
	}
	return fmt.Sprintf("код %d", int(k))
}

// keyWords names a key's algorithm and parameter set:
// "ГОСТ Р 34.10-2012, 256 бит, параметры id-tc26-gost-3410-2012-256-paramSetA".
func keyWords(p *gost3410.Params) string {
	s := fmt.Sprintf("ГОСТ Р 34.10-2012, %d бит, параметры %s", p.Bits(), p.ASN1Name())
	if p.IsTest() {
		s += " (тестовые, не для применения)"
	}
	return s
}

// keyAlgorithmOID is the SubjectPublicKeyInfo algorithm of a key of bits.
func keyAlgorithmOID(bits int) string {
	if bits == 512 {
		return "1.2.643.7.1.1.1.2"
	}
	return "1.2.643.7.1.1.1.1"
}

// signatureWords names the CA's signature algorithm.
func signatureWords(a cert.SignatureAlgorithm) string {
	switch a {
	case cert.GOST256:
		return "ГОСТ Р 34.10-2012, 256 бит, с хэш-функцией ГОСТ Р 34.11-2012 (Стрибог-256), 1.2.643.7.1.1.3.2"
	case cert.GOST512:
		return "ГОСТ Р 34.10-2012, 512 бит, с хэш-функцией ГОСТ Р 34.11-2012 (Стрибог-512), 1.2.643.7.1.1.3.3"
	}
	return "неизвестный алгоритм"
}

// profiles names the certificate profiles of package ca.
var profiles = map[string]string{
	ca.ProfileQualified:  "квалифицированный сертификат ключа проверки электронной подписи",
	ca.ProfileSignature:  "сертификат ключа проверки электронной подписи",
	ca.ProfileEncryption: "сертификат для шифрования",
	ca.ProfileAuth:       "сертификат для аутентификации",
	ca.ProfileTLSServer:  "сертификат TLS-сервера",
	ca.ProfileOCSP:       "сертификат службы OCSP",
	ca.ProfileSubCA:      "сертификат подчинённого удостоверяющего центра",
}

func profileWords(name string) string {
	if w, ok := profiles[name]; ok {
		return w + " (" + name + ")"
	}
	return name
}

// knownExtensions are the extensions the copy shows field by field; any
// other is listed under "Прочие расширения" with its value in hex.
var knownExtensions = map[string]bool{
	"2.5.29.14": true, "2.5.29.15": true, "2.5.29.16": true, "2.5.29.17": true,
	"2.5.29.19": true, "2.5.29.31": true, "2.5.29.32": true, "2.5.29.35": true,
	"2.5.29.1": true, "2.5.29.37": true, "1.3.6.1.5.5.7.1.1": true,
	"1.2.643.100.111": true, "1.2.643.100.112": true, "1.2.643.100.114": true,
}
