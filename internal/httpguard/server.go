package httpguard

import (
	"context"
	"errors"
	"log"
	"net/http"
	"time"
)

// The limits of the servers that [NewServer] returns. Endpoints such as
// /metrics, health checks and introspection take no request body and
// answer in well under a second on a local network; the limits leave room
// for a slow scrape of a large registry.
const (
	// ReadHeaderTimeout bounds the reading of a request's header.
	ReadHeaderTimeout = 5 * time.Second
	// ReadTimeout bounds the reading of a whole request, header and body,
	// and with it the reading of an unread body that net/http discards
	// after the handler returns.
	ReadTimeout = 5 * time.Second
	// WriteTimeout bounds the time from the end of the request's header to
	// the end of the response.
	WriteTimeout = 30 * time.Second
	// IdleTimeout bounds how long a kept-alive connection waits for its
	// next request.
	IdleTimeout = 60 * time.Second
	// MaxHeaderBytes bounds the size of a request's header.
	MaxHeaderBytes = 64 << 10
)

// NewServer returns a server of h with the limits above. errorLog receives
// the server's errors (failed TLS handshakes, panics in handlers); nil means
// the log package's standard logger, as for http.Server. The caller may
// change the fields before it starts the server.
func NewServer(h http.Handler, errorLog *log.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          errorLog,
	}
}

// Shutdown stops srv: it stops accepting connections, closes the idle ones,
// and waits for the requests being served, as [http.Server.Shutdown] does,
// until ctx ends; then it closes the connections that remain, such as a
// client stalled in the middle of a request, and returns nil. It returns
// an error only if closing them fails. After Shutdown, Serve returns
// [http.ErrServerClosed].
func Shutdown(ctx context.Context, srv *http.Server) error {
	err := srv.Shutdown(ctx)
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return srv.Close()
	}
	return err
}
