package httpguard

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// compare is the constant-time comparison of two token digests; a test
// replaces it to see what it is given.
var compare = subtle.ConstantTimeCompare

// RequireBearer returns a handler that serves next to the requests whose
// Authorization header is "Bearer <token>", the scheme in any case and
// followed by one or more spaces, and answers the others with 401
// Unauthorized and a WWW-Authenticate challenge for realm. The presented
// and expected tokens are compared as SHA-256 digests, in constant time.
//
// An empty token is a programmer error: RequireBearer panics rather than
// return a handler that every request without a token would pass.
func RequireBearer(token, realm string, next http.Handler) http.Handler {
	if token == "" {
		panic("httpguard: RequireBearer with an empty token")
	}
	if next == nil {
		panic("httpguard: RequireBearer with a nil handler")
	}
	authorized := BearerAuthorizer(token)
	challenge := Challenge(realm)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !authorized(r) {
			w.Header().Set("WWW-Authenticate", challenge)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// BearerAuthorizer returns a function that reports whether a request's
// Authorization header is "Bearer <token>", as [RequireBearer] checks it:
// the scheme in any case, the tokens compared as SHA-256 digests in
// constant time. It panics for an empty token.
func BearerAuthorizer(token string) func(*http.Request) bool {
	if token == "" {
		panic("httpguard: BearerAuthorizer with an empty token")
	}
	want := sha256.Sum256([]byte(token))
	return func(r *http.Request) bool {
		got, ok := bearerToken(r.Header.Get("Authorization"))
		digest := sha256.Sum256([]byte(got))
		// Compare also when the header is malformed, so that its shape
		// does not change the time taken either.
		return compare(digest[:], want[:]) == 1 && ok
	}
}

// Challenge returns the WWW-Authenticate value of a 401 response for the
// Bearer scheme and realm.
func Challenge(realm string) string {
	return `Bearer realm="` + strings.ReplaceAll(realm, `"`, `'`) + `"`
}

// bearerToken returns the token of an Authorization header value with the
// Bearer scheme, in any case, and whether it had one.
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimLeft(token, " ")
	return token, token != ""
}
