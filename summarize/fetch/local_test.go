package fetch

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/precisbot/precis/summarize"
)

func TestLocal(t *testing.T) {
	tests := []struct {
		name, mediaType string
		body            []byte
		wantType        string
		wantBody        string
		wantErr         error
	}{
		{"html sniffed", "", []byte("<!DOCTYPE html><html><body><p>Été</p></body></html>"), "text/html", "Été", nil},
		{"text sniffed", "", []byte("Plain words here."), "text/plain", "Plain words here.", nil},
		{"windows-1252 html", "text/html", []byte("<html><head><meta charset=\"windows-1252\"></head><body>caf\xe9 \x80</body></html>"), "text/html", "café €", nil},
		{"pdf refused", "", []byte("%PDF-1.7\n1 0 obj"), "", "", summarize.ErrUnsupportedFile},
		{"png refused", "", []byte("\x89PNG\r\n\x1a\n\x00\x00"), "", "", summarize.ErrUnsupportedFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := Local(tt.body, tt.mediaType)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if page.MediaType != tt.wantType || !strings.Contains(string(page.Body), tt.wantBody) {
				t.Errorf("page = %q %q, want %q containing %q", page.MediaType, page.Body, tt.wantType, tt.wantBody)
			}
		})
	}
}

func TestClientSharesTheGuard(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	resp, err := New(Config{}).Client().Post(srv.URL, "application/json", strings.NewReader("{}"))
	if err == nil {
		resp.Body.Close()
		t.Fatal("the client reached a loopback address")
	}
	if !errors.Is(err, summarize.ErrBlocked) {
		t.Errorf("err = %v, want ErrBlocked", err)
	}
	resp, err = New(Config{AllowPrivate: true}).Client().Post(srv.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatalf("allowed client: %v", err)
	}
	resp.Body.Close()
}
