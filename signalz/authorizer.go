package signalz

import (
	"net"
	"net/http"

	"github.com/signalkit/sdk/internal/httpguard"
)

// Authorizer reports whether a request may read the page, or run an action
// (see [New] and [WithActions]). It is called for every request, from the
// goroutines that serve them, so it must be safe for concurrent use; it
// should be fast and have no side effects, since a page that shows the
// action buttons calls the action authorizer for a GET as well.
type Authorizer func(r *http.Request) bool

// BearerToken returns an Authorizer that accepts the requests whose
// Authorization header is "Bearer <token>" (RFC 6750), the scheme in any
// case. The presented and expected tokens are hashed with SHA-256 and the
// digests compared in constant time, so that neither the time taken nor an
// early exit tells anything about the token, not even its length.
//
// An empty token is a programmer error: BearerToken panics rather than
// return an Authorizer that a request without a token would pass.
func BearerToken(token string) Authorizer {
	if token == "" {
		panic("signalz: BearerToken with an empty token")
	}
	return httpguard.BearerAuthorizer(token)
}

// fromLoopback reports whether r comes from a loopback address
// (127.0.0.0/8 or ::1), by its connection's remote address: a proxy's
// X-Forwarded-For and similar headers are not trusted.
func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
