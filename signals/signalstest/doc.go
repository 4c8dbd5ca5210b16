// Package signalstest helps test code that emits or listens to signals from
// package [github.com/signalkit/sdk/signals]. It works with any
// [testing.TB], so with the testing package alone or with assertion libraries
// such as testify.
//
// # Listening
//
// A [Recorder] is a listener that keeps every payload it receives, in
// arrival order. [Recorder.WaitFor] waits until enough have arrived, for
// listeners that run on other goroutines (the workers of a
// [signals.AsyncSignal], deliveries of [signals.AsyncSignal.Enqueue]):
//
//	rec := signalstest.NewRecorder[Order]()
//	sig.AddListener(rec.Record)
//	svc.PlaceOrders(ctx) // enqueues two emissions
//	got := rec.WaitFor(t, 2, time.Second)
//
// A [Spy] keeps only the number of calls and the last payload, for listeners
// that receive many emissions.
//
// # Emitting
//
// A [Signal] is a test double for code that takes a [signals.Signal]: it
// records every emission, delivers it to its listeners like a real signal
// (a new [signals.SyncSignal], or the one given to [Wrap]), and asserts what
// was emitted:
//
//	sig := signalstest.NewSignal[Order]()
//	svc := orders.NewService(sig)
//	svc.Place(ctx, Order{ID: "A-1"})
//	sig.AssertEmitted(t, 1)
//	sig.AssertEmittedWith(t, func(o Order) bool { return o.ID == "A-1" })
//
// # Failures
//
// Assertions report a failure with [testing.TB.Errorf] and return false, so
// that a test can go on and report more; [Recorder.WaitFor] and
// [Signal.WaitForEmissions] report a timeout with [testing.TB.Fatalf],
// which ends the test, since what follows them needs what they waited for.
// Every message says what was expected and what happened, and lists the
// payloads received: all of them up to ten, otherwise the first five and the
// last five, each cut to 200 bytes, so that a test that emits a hundred
// thousand payloads still gets a message a person can read.
//
// # Concurrency
//
// Every method of [Recorder], [Spy] and [Signal] is safe for concurrent use
// by multiple goroutines: listeners of asynchronous signals run on other
// goroutines than the test's. The assertions may be called from any
// goroutine, as [testing.TB.Errorf] may; WaitFor and WaitForEmissions, which
// call [testing.TB.Fatalf], only from the goroutine running the test.
package signalstest
