package fetch

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestToUTF8(t *testing.T) {
	const cp1252 = "caf\xe9 \x92quot\x92 \x80 5" // é, ’ and € in windows-1252
	const cp1252Want = "café ’quot’ € 5"
	asciiHead := strings.Repeat("x", 2000)
	tests := []struct {
		name        string
		contentType string
		body        string
		want        string
		wantCharset string
	}{
		{"windows-1252 from header", "text/html; charset=windows-1252", cp1252, cp1252Want, "windows-1252"},
		{"iso-8859-1 label reads as windows-1252", "text/html; charset=ISO-8859-1", cp1252, cp1252Want, "windows-1252"},
		{"windows-1252 undeclared", "text/html", cp1252, cp1252Want, "windows-1252"},
		{"meta charset", "text/html",
			`<meta charset="windows-1252"><p>` + cp1252,
			`<meta charset="windows-1252"><p>` + cp1252Want, "windows-1252"},
		{"meta http-equiv", "",
			`<meta http-equiv="content-type" content="text/html; charset=iso-8859-15"><p>caf` + "\xe9 \xa4",
			`<meta http-equiv="content-type" content="text/html; charset=iso-8859-15"><p>café €`, "iso-8859-15"},
		{"header beats meta", "text/html; charset=utf-8",
			`<meta charset="windows-1252"><p>café`,
			`<meta charset="windows-1252"><p>café`, "utf-8"},
		{"meta beats valid UTF-8", "text/html",
			`<meta charset="windows-1252"><p>café`,
			`<meta charset="windows-1252"><p>cafÃ©`, "windows-1252"},
		{"valid UTF-8 undeclared, late non-ASCII", "text/html",
			asciiHead + " café ’ €", asciiHead + " café ’ €", "utf-8"},
		{"valid UTF-8, unknown meta label", "text/html",
			`<meta charset="x-no-such">` + asciiHead + " café",
			`<meta charset="x-no-such">` + asciiHead + " café", "utf-8"},
		{"valid UTF-8, unknown header label", "text/html; charset=x-no-such",
			asciiHead + " café", asciiHead + " café", "utf-8"},
		{"ASCII", "text/plain", "plain words", "plain words", "utf-8"},
		{"empty", "text/html", "", "", "utf-8"},
		{"invalid UTF-8 declared UTF-8", "text/html; charset=utf-8", "caf\xe9 \xff ok", "caf\uFFFD \uFFFD ok", "utf-8"},
		{"invalid UTF-8 declared in meta", "", `<meta charset=utf-8>caf` + "\xe9", `<meta charset=utf-8>caf` + "\uFFFD", "utf-8"},
		{"UTF-8 BOM", "text/html; charset=windows-1252", "\xef\xbb\xbfcafé", "café", "utf-8"},
		{"UTF-16LE BOM", "", "\xff\xfec\x00a\x00f\x00\xe9\x00", "café", "utf-16le"},
		{"Shift_JIS header", "text/plain; charset=Shift_JIS", "\x82\xa0", "あ", "shift_jis"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, name, err := toUTF8([]byte(tt.body), tt.contentType)
			if err != nil {
				t.Fatalf("toUTF8: %v", err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
			if name != tt.wantCharset {
				t.Errorf("charset = %q, want %q", name, tt.wantCharset)
			}
		})
	}
}

func BenchmarkToUTF8(b *testing.B) {
	benchmarks := []struct {
		name, contentType, body string
	}{
		{"windows-1252 1MiB", "text/html; charset=windows-1252", strings.Repeat("caf\xe9 \x92quot\x92 \x80 5 ", 1<<16)},
		{"UTF-8 undeclared 1MiB", "text/html", strings.Repeat("café ’quot’ € 5 ", 1<<16)},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			body := []byte(bm.body)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := toUTF8(body, bm.contentType); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
