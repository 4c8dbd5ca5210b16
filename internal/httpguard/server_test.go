package httpguard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// start serves srv on 127.0.0.1 and returns its address and a function
// that waits for Serve to return and returns its error.
func start(t *testing.T, srv *http.Server) (string, func() error) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	t.Cleanup(func() { srv.Close() })
	return lis.Addr().String(), func() error { return <-served }
}

// stall connects to addr and sends the header of a request that announces
// a 200 KB body, and none of it.
func stall(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := fmt.Fprintf(c, "POST /metrics HTTP/1.1\r\nHost: %s\r\nContent-Length: 200000\r\n\r\n", addr); err != nil {
		t.Fatal(err)
	}
	return c
}

func ok(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") } // reads no body

func TestNewServer(t *testing.T) {
	srv := NewServer(http.HandlerFunc(ok), nil)
	if srv.ReadHeaderTimeout != ReadHeaderTimeout || srv.ReadTimeout != ReadTimeout || srv.WriteTimeout != WriteTimeout ||
		srv.IdleTimeout != IdleTimeout || srv.MaxHeaderBytes != MaxHeaderBytes {
		t.Errorf("limits: %+v", srv)
	}
	for name, d := range map[string]time.Duration{"ReadHeaderTimeout": ReadHeaderTimeout, "ReadTimeout": ReadTimeout, "WriteTimeout": WriteTimeout, "IdleTimeout": IdleTimeout} {
		if d <= 0 {
			t.Errorf("%s = %v: no limit", name, d)
		}
	}
}

// TestStalledBody: a client that announces a body and never sends it is
// cut off after ReadTimeout, also by an endpoint that reads no body.
func TestStalledBody(t *testing.T) {
	srv := NewServer(http.HandlerFunc(ok), nil)
	srv.ReadTimeout = 200 * time.Millisecond
	addr, _ := start(t, srv)
	c := stall(t, addr)
	if err := c.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	reply, err := io.ReadAll(c) // until the server closes the connection
	if err != nil {
		t.Fatalf("the server kept the stalled connection open: %v (read %q)", err, reply)
	}
}

// TestShutdownStalled: a stalled client does not make Shutdown fail, nor
// keep the server's goroutines after it.
func TestShutdownStalled(t *testing.T) {
	srv := NewServer(http.HandlerFunc(ok), nil)
	addr, served := start(t, srv)
	c := stall(t, addr)
	// Wait until the server has the request: a second connection's reply
	// comes after the first connection was accepted.
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := Shutdown(ctx, srv); err != nil {
		t.Errorf("Shutdown = %v", err)
	}
	if err := served(); !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve = %v", err)
	}
	if err := c.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(c); err != nil {
		t.Errorf("the stalled connection is still open after Shutdown: %v", err)
	}
}

func TestShutdownIdle(t *testing.T) {
	srv := NewServer(http.HandlerFunc(ok), nil)
	addr, served := start(t, srv)
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.TrimSpace(string(body)) != "ok" {
		t.Errorf("body %q", body)
	}
	if err := Shutdown(context.Background(), srv); err != nil {
		t.Errorf("Shutdown = %v", err)
	}
	if err := served(); !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve = %v", err)
	}
	http.DefaultClient.CloseIdleConnections()
}
