// Package httpguard holds what every HTTP endpoint of signalkit's programs
// needs before it faces a network: a server whose timeouts bound what a
// slow or stalled client can hold, a shutdown that ends even when such a
// client is connected, and a bearer-token check that accepts the scheme in
// any case and does not leak the token's length.
//
// It is internal: the demo's endpoints use it, and so will a library's
// introspection handler. It uses the standard library only, so any module
// of the repository that requires the root module may import it.
//
// # Timeouts
//
// [NewServer] sets every timeout of [http.Server] that a plain literal
// leaves at zero (no limit): reading the header ([ReadHeaderTimeout]) and
// the whole request ([ReadTimeout]), writing the response
// ([WriteTimeout]), and keeping an idle connection ([IdleTimeout]). A
// client that announces a body and never sends it is cut off after
// ReadTimeout: without it, the server waits for the body forever, even for
// an endpoint that never reads one (net/http reads up to 256 KB of an
// unread body after the handler, to reuse the connection), and
// [http.Server.Shutdown] waits for that connection until its context ends.
//
// # Shutdown
//
// [Shutdown] stops a server gracefully, and closes whatever is still
// connected when its context ends, so that a stalled client cannot make a
// process's shutdown fail.
//
// # Authentication
//
// [RequireBearer] serves a handler only to requests that carry a token, as
// RFC 6750 describes: "Authorization: Bearer <token>", the scheme in any
// case (RFC 9110 section 11.1). Both the expected and the presented token
// are hashed with SHA-256 before a constant-time comparison, so that
// neither the comparison's time nor its early exit depends on the token's
// length or content. [BearerAuthorizer] is the same check as a function
// that reports whether a request passes, for handlers that take an
// authorizer, such as the introspection page (package signalz).
package httpguard
