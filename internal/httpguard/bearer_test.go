package httpguard

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRequireBearer(t *testing.T) {
	h := RequireBearer("s3cret", `signals "debug"`, http.HandlerFunc(ok))
	tests := []struct {
		auth string
		want int
	}{
		{"Bearer s3cret", http.StatusOK},
		{"bearer s3cret", http.StatusOK}, // RFC 9110: the scheme is case-insensitive
		{"BEARER s3cret", http.StatusOK},
		{"Bearer   s3cret", http.StatusOK},
		{"", http.StatusUnauthorized},
		{"Bearer", http.StatusUnauthorized},
		{"Bearer ", http.StatusUnauthorized},
		{"Bearer wrong", http.StatusUnauthorized},
		{"Bearer S3CRET", http.StatusUnauthorized}, // the token is not
		{"Bearer s3cret2", http.StatusUnauthorized},
		{"Bearer s3cre", http.StatusUnauthorized},
		{"Basic s3cret", http.StatusUnauthorized},
		{"s3cret", http.StatusUnauthorized},
		{"Bearers3cret", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.auth, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/debug/signals", nil)
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Fatalf("Authorization %q: %d, want %d", tt.auth, w.Code, tt.want)
			}
			if tt.want == http.StatusUnauthorized {
				if got := w.Header().Get("WWW-Authenticate"); got != `Bearer realm="signals 'debug'"` {
					t.Errorf("WWW-Authenticate = %q", got)
				}
				if strings.Contains(w.Body.String(), "s3cret") {
					t.Error("the refusal shows the token")
				}
			}
		})
	}
}

// TestRequireBearerDigests: whatever is presented, the comparison sees two
// digests of one length, so that it takes the same time and its early exit
// for unequal lengths cannot tell the token's length.
func TestRequireBearerDigests(t *testing.T) {
	saved := compare
	defer func() { compare = saved }()
	var calls int
	compare = func(a, b []byte) int {
		calls++
		if len(a) != 32 || len(b) != 32 {
			t.Errorf("compared %d bytes with %d", len(a), len(b))
		}
		return saved(a, b)
	}
	h := RequireBearer("a-token-of-some-length", "x", http.HandlerFunc(ok))
	for _, auth := range []string{"", "Bearer a", "Bearer a-token-of-some-length", "Bearer " + strings.Repeat("x", 1000), "Basic abc"} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", auth)
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	if calls != 5 {
		t.Errorf("%d comparisons for 5 requests, want one each", calls)
	}
}

func TestRequireBearerPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"empty token": func() { RequireBearer("", "x", http.HandlerFunc(ok)) },
		"nil handler": func() { RequireBearer("t", "x", nil) },
		"authorizer":  func() { BearerAuthorizer("") },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "httpguard: ") {
					t.Errorf("recovered %v", r)
				}
			}()
			f()
		})
	}
}

func TestBearerAuthorizer(t *testing.T) {
	authorized := BearerAuthorizer("s3cret")
	for auth, want := range map[string]bool{
		"Bearer s3cret": true, "bearer s3cret": true, "Bearer  s3cret": true,
		"": false, "Bearer": false, "Bearer s3cret ": false, "Basic s3cret": false, "Bearer S3CRET": false,
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		if got := authorized(r); got != want {
			t.Errorf("Authorization %q: %v, want %v", auth, got, want)
		}
	}
}
