package certpdf

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/ca/ra"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/streebog"
)

// CopyOptions are the parts of a printable copy that the certificate does
// not hold.
type CopyOptions struct {
	// CheckURL is the address of the certificate's public check page,
	// such as https://ca.example.ru/check/04C85E: the QR code holds
	// exactly it, and the copy prints it. Required: an absolute http or
	// https URL with a host, of printable ASCII (percent-encode the rest),
	// at most MaxCheckURL bytes.
	CheckURL string
	// Printed is the date printed on the copy ("Дата печати"), as its own
	// location gives it, and the PDF's creation date; zero leaves the date
	// out and dates the PDF at the certificate's notBefore.
	Printed time.Time
	// Issuer, if set, is the CA's certificate, which must have signed the
	// certificate: the issuer's block then gives its serial number,
	// validity and fingerprint.
	Issuer *cert.Certificate
}

// MaxCheckURL is the longest CheckURL, in bytes: a QR code of it stays
// small enough to read from paper with a phone.
const MaxCheckURL = 256

// ErrCheckURL is wrapped by the errors for a CheckURL that is missing or
// not an http(s) URL.
var ErrCheckURL = errors.New("certpdf: invalid check URL")

// checkURL reports what is wrong with a check page's URL.
func checkURL(s string) error {
	if s == "" {
		return fmt.Errorf("%w: none given", ErrCheckURL)
	}
	if len(s) > MaxCheckURL {
		return fmt.Errorf("%w: longer than %d bytes", ErrCheckURL, MaxCheckURL)
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return fmt.Errorf("%w: %q has a character that is not printable ASCII (percent-encode it)", ErrCheckURL, s)
		}
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fmt.Errorf("%w: %v", ErrCheckURL, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%w: %q is not an http or https URL", ErrCheckURL, s)
	case u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("%w: %q has no host", ErrCheckURL, s)
	case u.User != nil:
		return fmt.Errorf("%w: %q carries a user name or password", ErrCheckURL, s)
	}
	return nil
}

// Copy renders the printable copy of certificate c: an A4 PDF, in Russian,
// with every field of the certificate — serial number, validity, owner
// (every attribute of the subject: name, SNILS, INN, OGRN, ...), issuer,
// key algorithm and parameter set, the public key in hex, key usages,
// extended key usages and policies (the classes КС1 … КА1 of FSB Order
// 795), the subject's and issuer's signature tools, the CA's signature and
// the Streebog-256 fingerprint, and any other extension in hex — with a QR
// code of opts.CheckURL beside the heading, lines for the signatures of the
// owner and of the CA's officer (with the seal's place, "М.П."), and the
// page number at each foot. Long values wrap, over pages if need be.
//
// The fields are shown as the certificate has them; characters that do not
// print (controls, bidi overrides, invalid UTF-8) are shown as escapes
// such as \u202E. The output is the same bytes for the same c and opts.
//
// It fails for a nil or unparsed certificate (c.Raw empty), a CheckURL
// that is not an http(s) URL (ErrCheckURL), and an opts.Issuer that did not
// sign c.
func Copy(c *cert.Certificate, opts CopyOptions) ([]byte, error) {
	d, err := copyDocument(c, opts)
	if err != nil {
		return nil, err
	}
	return render(d)
}

func copyDocument(c *cert.Certificate, opts CopyOptions) (*document, error) {
	if c == nil {
		return nil, errors.New("certpdf: nil certificate")
	}
	if len(c.Raw) == 0 || c.SerialNumber == nil {
		return nil, errors.New("certpdf: the certificate is not parsed (cert.ParseCertificate gives one)")
	}
	if err := checkURL(opts.CheckURL); err != nil {
		return nil, err
	}
	if opts.Issuer != nil {
		if err := c.CheckSignatureFrom(opts.Issuer); err != nil {
			return nil, fmt.Errorf("certpdf: the issuer's certificate given did not sign this one: %w", err)
		}
	}
	serial := ra.FormatSerial(c.SerialNumber)
	d := &document{
		title:   "Сертификат ключа проверки электронной подписи",
		qr:      opts.CheckURL,
		footer:  "Копия сертификата " + serial,
		subject: "Копия сертификата " + serial + " на бумажном носителе",
		created: c.NotBefore,
	}
	if c.IssuerSignTool != nil && c.SubjectSignTool != "" {
		d.title = "Квалифицированный сертификат ключа проверки электронной подписи"
	}
	d.lead = append(d.lead, "Копия на бумажном носителе", "Серийный номер: "+serial)
	if ca := displayName(&c.Issuer); ca != "" {
		d.lead = append(d.lead, "Издатель: "+ca)
	}
	if !opts.Printed.IsZero() {
		d.lead = append(d.lead, "Дата печати: "+formatDate(opts.Printed))
		d.created = opts.Printed
	}

	general := section{title: "Сертификат"}
	general.add(
		textRow("Серийный номер", serial),
		textRow("Версия", strconv.Itoa(c.Version)),
		textRow("Действителен с", formatTime(c.NotBefore)),
		textRow("Действителен по", formatTime(c.NotAfter)),
	)
	if p := c.PrivateKeyUsagePeriod; p != nil {
		var v []string
		if !p.NotBefore.IsZero() {
			v = append(v, "с "+formatTime(p.NotBefore))
		}
		if !p.NotAfter.IsZero() {
			v = append(v, "по "+formatTime(p.NotAfter))
		}
		general.add(textRow("Срок действия ключа электронной подписи", strings.Join(v, " ")))
	}
	if c.BasicConstraintsValid {
		kind := "сертификат конечного пользователя"
		if c.IsCA {
			kind = "сертификат удостоверяющего центра"
			if c.MaxPathLen > 0 || c.MaxPathLenZero {
				kind += fmt.Sprintf(", длина пути не более %d", c.MaxPathLen)
			}
		}
		general.add(textRow("Тип сертификата", kind))
	}

	owner := section{title: "Владелец сертификата"}
	owner.rows = nameRows(&c.Subject)
	owner.add(
		textRow("DNS-имя", c.DNSNames...),
		textRow("Адрес электронной почты (альтернативное имя)", c.EmailAddresses...),
		textRow("IP-адрес", ipStrings(c.IPAddresses)...),
		textRow("URI", urlStrings(c.URIs)...),
	)
	if k := c.IdentificationKind; k != nil {
		owner.add(textRow("Способ идентификации владельца", identificationWords(*k)))
	}

	issuer := section{title: "Издатель сертификата (удостоверяющий центр)"}
	issuer.rows = nameRows(&c.Issuer)
	if ic := opts.Issuer; ic != nil {
		issuer.add(
			textRow("Серийный номер сертификата издателя", ra.FormatSerial(ic.SerialNumber)),
			textRow("Сертификат издателя действителен", "с "+formatTime(ic.NotBefore), "по "+formatTime(ic.NotAfter)),
		)
		sum := streebog.Sum256(ic.Raw)
		issuer.add(monoRow("Отпечаток сертификата издателя (Стрибог-256)", fingerprintLines(sum[:])...))
	}
	issuer.add(
		monoRow("Идентификатор ключа издателя", hexLines(c.AuthorityKeyId, 20)...),
		textRow("Список отзыва (CRL)", c.CRLDistributionPoints...),
		textRow("Служба OCSP", c.OCSPServer...),
		textRow("Сертификат издателя в сети", c.IssuingCertificateURL...),
	)

	key := section{title: "Ключ проверки электронной подписи"}
	if pub := c.PublicKey; pub != nil {
		p := pub.Params()
		key.add(
			textRow("Алгоритм и параметры", keyWords(p), fmt.Sprintf("OID ключа %s, параметров %s", keyAlgorithmOID(p.Bits()), p.OID())),
			monoRow("Ключ проверки ЭП ("+bytesWords(len(pub.Bytes()))+")", hexLines(pub.Bytes(), 16)...),
		)
	} else if bits, ok := subjectPublicKey(c.RawSubjectPublicKeyInfo); ok {
		key.add(
			textRow("Алгоритм и параметры", "неизвестный алгоритм"),
			monoRow("Ключ проверки ЭП ("+bytesWords(len(bits))+")", hexLines(bits, 16)...),
		)
	}
	key.add(monoRow("Идентификатор ключа владельца", hexLines(c.SubjectKeyId, 20)...))

	usage := section{title: "Назначение ключа и политики"}
	usage.add(
		textRow("Использование ключа", keyUsageWords(c.KeyUsage)...),
		textRow("Расширенное использование ключа", oidWords(c.ExtKeyUsage, extKeyUsages)...),
		textRow("Политики сертификата (классы средств ЭП, приказ ФСБ России № 795)", oidWords(c.PolicyIdentifiers, policies)...),
	)

	tools := section{title: "Средства электронной подписи и удостоверяющего центра"}
	tools.add(textRow("Средство ЭП владельца", c.SubjectSignTool))
	if t := c.IssuerSignTool; t != nil {
		tools.add(
			textRow("Средство ЭП издателя", t.SignTool),
			textRow("Средство удостоверяющего центра издателя", t.CATool),
			textRow("Заключение о соответствии средства ЭП издателя", t.SignToolCert),
			textRow("Заключение о соответствии средства удостоверяющего центра", t.CAToolCert),
		)
	}

	other := section{title: "Прочие расширения"}
	for _, e := range c.Extensions {
		if knownExtensions[e.Id.String()] {
			continue
		}
		label := "Расширение " + e.Id.String()
		if e.Critical {
			label += " (критическое)"
		}
		v := e.Value
		lines := hexLines(v[:min(len(v), 256)], 16)
		if len(v) > 256 {
			lines = append(lines, "… всего "+bytesWords(len(v)))
		}
		if len(lines) == 0 {
			lines = []string{"(пусто)"}
		}
		other.add(monoRow(label, lines...))
	}

	sum := streebog.Sum256(c.Raw)
	signed := section{title: "Подпись удостоверяющего центра"}
	signed.add(
		textRow("Алгоритм подписи", signatureWords(c.SignatureAlgorithm)),
		monoRow("Значение подписи ("+bytesWords(len(c.Signature))+")", hexLines(c.Signature, 16)...),
		monoRow("Отпечаток сертификата (Стрибог-256)", fingerprintLines(sum[:])...),
	)

	check := section{title: "Проверка сертификата", withSignatures: true}
	check.add(monoRow("Адрес проверки", opts.CheckURL))
	check.prose = []string{
		"Действительность сертификата (не отозван ли он, не приостановлено ли его действие) проверяется " +
			"по этому адресу или по QR-коду на первой странице копии.",
		"Копия верна, если подписана владельцем сертификата и уполномоченным лицом удостоверяющего центра " +
			"и заверена печатью удостоверяющего центра.",
	}

	d.sections = []section{general, owner, issuer, key, usage, tools, other, signed, check}
	d.signatures = []signature{
		{role: "Владелец сертификата", name: ownerName(&c.Subject)},
		{role: "Уполномоченное лицо удостоверяющего центра", seal: true},
	}
	return d, nil
}

// displayName is how a name is shown in a line: its CN, else its O.
func displayName(n *cert.Name) string {
	if n.CommonName != "" {
		return n.CommonName
	}
	return n.Organization
}

// ownerName is the name under the owner's signature: the surname and
// initials of a person, else the CN.
func ownerName(n *cert.Name) string {
	if s := initials(n.Surname, n.GivenName); s != "" {
		return s
	}
	return n.CommonName
}

func ipStrings(ips []net.IP) []string {
	var s []string
	for _, ip := range ips {
		s = append(s, ip.String())
	}
	return s
}

func urlStrings(urls []*url.URL) []string {
	var s []string
	for _, u := range urls {
		s = append(s, u.String())
	}
	return s
}

// subjectPublicKey returns the subjectPublicKey bits of a DER
// SubjectPublicKeyInfo, for a key the certificate package does not know.
func subjectPublicKey(spki []byte) ([]byte, bool) {
	s := cryptobyte.String(spki)
	var seq cryptobyte.String
	var bits []byte
	var unused uint8
	var bs cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.SkipASN1(cbasn1.SEQUENCE) ||
		!seq.ReadASN1(&bs, cbasn1.BIT_STRING) || !bs.ReadUint8(&unused) {
		return nil, false
	}
	bits = bs
	return bits, len(bits) > 0
}
