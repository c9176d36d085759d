package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/gostca/gostca/internal/interop"
)

// TestBrowser drives the portal of "gostca serve --ra" with Chromium: the
// form filled and sent with a request file and a PDF scan, the field error
// of a wrong SNILS with the other values kept, the number and the code
// read, an approval by an operator, "my application" issued and every
// download checked by OpenSSL, the check page valid, then revoked within a
// second. With GOSTCA_SCREENSHOTS=DIR it writes the screenshots of the
// form, the status page and the check page there (docs/images).
func TestBrowser(t *testing.T) {
	chrome := interop.Chromium(t)
	o := interop.OpenSSL(t)
	dir := t.TempDir()
	vars := map[string]string{"GOSTCA_PASSPHRASE": "pass", "GOSTCA_DIR": filepath.Join(dir, "ca"), "USER": "clerk"}
	run := mustRun(t, vars)
	run("init", "--subject", "CN=УЦ Пример,O=Пример,C=RU")
	key, csr := filepath.Join(dir, "my.key"), filepath.Join(dir, "my.csr")
	run("key", "new", "--out", key, "--no-passphrase")
	run("csr", "--key", key, "--subject", "CN=whatever", "--out", csr)
	scan := filepath.Join(dir, "паспорт.pdf")
	os.WriteFile(scan, []byte("%PDF-1.7\nскан паспорта\n"), 0o644)
	srv := startServe(t, vars, "--listen", "127.0.0.1:0", "--poll", "100ms", "--ra")
	downloads := filepath.Join(dir, "downloads")
	os.Mkdir(downloads, 0o755)

	alloc, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome.Path()), chromedp.NoSandbox, chromedp.WindowSize(1000, 760),
		chromedp.Flag("lang", "ru-RU"), chromedp.Flag("accept-lang", "ru-RU,ru"))...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	shots := os.Getenv("GOSTCA_SCREENSHOTS")
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if shots == "" {
				return nil
			}
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name), png, 0o644)
		})
	}
	fill := func(values map[string]string) chromedp.Action[chromedp.Void] {
		var steps []chromedp.Action[chromedp.Void]
		for id, v := range values {
			steps = append(steps, chromedp.SetValue(chromedp.CSS("#"+id), v))
		}
		return chromedp.Steps(steps...)
	}
	allowDownloads := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
		return err
	})
	person := map[string]string{
		"surname": "Иванов", "given_name": "Иван", "patronymic": "Иванович", "birth_date": "1980-04-12",
		"snils": "112-233-445 96", "inn": "500100732259", "passport_series": "4510", "passport_number": "123456",
		"passport_issue_date": "2005-05-20", "passport_issuer": "ОВД района Хамовники г. Москвы",
		"passport_issuer_code": "772-001", "email": "ivanov@example.ru", "phone": "+7 495 123-45-67",
		"code_word": "кодовое слово",
	}

	// The form with a wrong SNILS: its error at the field, the values kept.
	do("the form with a wrong SNILS",
		allowDownloads,
		chromedp.Navigate(srv.base+"/apply"),
		fill(person),
		chromedp.SetUploadFiles(chromedp.CSS("#csr_file"), []string{csr}),
		chromedp.SetUploadFiles(chromedp.CSS("#scans"), []string{scan}),
		shot("form.png"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#snils-err")),
	)
	snilsErr := text("#snils-err")
	patronymic, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#patronymic")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(snilsErr, "контрольное число") || patronymic != "Иванович" {
		t.Fatalf("wrong SNILS: error %q, patronymic kept %q", snilsErr, patronymic)
	}

	// Corrected and sent: the number and the code.
	do("the application",
		fill(map[string]string{"snils": "112-233-445 95", "code_word": "кодовое слово"}),
		chromedp.SetUploadFiles(chromedp.CSS("#csr_file"), []string{csr}),
		chromedp.SetUploadFiles(chromedp.CSS("#scans"), []string{scan}),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#number")),
	)
	number, code := text("#number"), text("#access-code")
	if !strings.HasPrefix(number, "2026-") && !strings.Contains(number, "-") || len(code) != 19 {
		t.Fatalf("number %q, code %q", number, code)
	}

	// An operator approves (through the library, as gostca request does).
	serial := strings.TrimSpace(run("request", "approve", number, "--operator", "petrov"))

	// "My application", in a fresh session: issued, the downloads.
	do("my application",
		// A fresh browser session: the confirmation's is forgotten.
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
			return err
		}),
		chromedp.Navigate(srv.base+"/my"),
		chromedp.SetValue(chromedp.CSS("#number"), number),
		chromedp.SetValue(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#status")),
		shot("status.png"),
	)
	status := text("#status")
	if !strings.Contains(status, "Сертификат выпущен") {
		t.Fatalf("status %q", status)
	}
	for _, id := range []string{"dl-cer", "dl-pem", "dl-p7b", "dl-pdf"} {
		do("download "+id, chromedp.Click(chromedp.CSS("#"+id)))
	}
	files := map[string]string{}
	for deadline := time.Now().Add(20 * time.Second); len(files) < 4; time.Sleep(100 * time.Millisecond) {
		for _, ext := range []string{"cer", "pem", "p7b", "pdf"} {
			p := filepath.Join(downloads, serial+"."+ext)
			if st, err := os.Stat(p); err == nil && st.Size() > 0 {
				files[ext] = p
			}
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(downloads)
			t.Fatalf("downloads: %v (%v)", files, entries)
		}
	}
	caPEM := filepath.Join(vars["GOSTCA_DIR"], certName)
	for _, args := range [][]string{
		{"verify", "-CAfile", caPEM, files["pem"]},
		{"x509", "-inform", "DER", "-in", files["cer"], "-noout", "-serial"},
		{"pkcs7", "-inform", "DER", "-in", files["p7b"], "-print_certs", "-noout"},
	} {
		if out, err := o.Combined(nil, args...); err != nil {
			t.Fatalf("openssl %s: %v\n%s", args[0], err, out)
		}
	}
	if out, _ := o.Combined(nil, "verify", "-CAfile", caPEM, files["pem"]); !strings.Contains(string(out), ": OK") {
		t.Fatalf("openssl verify: %s", out)
	}

	// The printable copy: the owner, the SNILS and the serial in its text,
	// the check page's address in its QR code.
	pdf, err := os.ReadFile(files["pdf"])
	if err != nil {
		t.Fatal(err)
	}
	if txt := interop.PDFText(t, pdf, false); !strings.Contains(txt, "Иванов Иван Иванович") || !strings.Contains(txt, "11223344595") || !strings.Contains(strings.ReplaceAll(txt, " ", ""), serial) {
		t.Errorf("the printable copy's text lacks the owner, SNILS or serial:\n%s", txt)
	}
	if qr := interop.ScanQR(t, pdf, 1, 150); len(qr) != 1 || qr[0] != srv.base+"/check/"+serial {
		t.Errorf("the printable copy's QR code: %q, want %q", qr, srv.base+"/check/"+serial)
	}

	// The check page: valid; revoked; reloaded within a second.
	do("the check page",
		chromedp.Navigate(srv.base+"/check/"+serial),
		shot("check.png"),
	)
	status = text("#status")
	if !strings.Contains(status, "действителен") {
		t.Fatalf("check page: %q", status)
	}
	run("revoke", serial, "--reason", "keyCompromise")
	revoked := time.Now()
	for !strings.Contains(status, "отозван") {
		if time.Since(revoked) > time.Second {
			t.Fatalf("the check page says %q 1 s after the revocation", status)
		}
		do("reload", chromedp.Reload())
		status = text("#status")
	}
	if !strings.Contains(status, "компрометация ключа") {
		t.Errorf("no reason on the page: %q", status)
	}
	t.Logf("revocation to the check page: %v", time.Since(revoked))
	srv.stop()
}
