package natssignals

import (
	"errors"
	"fmt"

	"github.com/signalkit/sdk/semconv"
	"github.com/signalkit/sdk/signals"
)

// Errors returned by [Publish], [Subscribe] and the listener a [Publisher]
// adds to its signal. Test for them with [errors.Is].
var (
	// ErrClosed is returned by the publisher's listener after
	// [Publisher.Close] has started, including to emissions that were
	// waiting for room in a full buffer. errors.Is(err, signals.ErrClosed)
	// also holds.
	ErrClosed = fmt.Errorf("natssignals: closed: %w", signals.ErrClosed)

	// ErrBufferFull is returned by the publisher's listener when its buffer
	// is full and its overflow policy is [signals.OverflowDrop]; the
	// emission is not published and is counted as dropped.
	// errors.Is(err, signals.ErrQueueFull) also holds.
	ErrBufferFull = fmt.Errorf("natssignals: publish buffer full: %w", signals.ErrQueueFull)

	// ErrNoStream is returned by Publish and Subscribe when no JetStream
	// stream captures the subject (or, for Subscribe, the dead-letter
	// subject): a message published there would not be stored.
	ErrNoStream = errors.New("natssignals: no stream captures the subject")

	// ErrInvalidArgument is returned by Publish and Subscribe for a nil
	// connection or signal, an empty subject or durable name, or an option
	// that does not fit (such as a [WithMessageID] function for another
	// payload type).
	ErrInvalidArgument = errors.New("natssignals: invalid argument")

	// ErrAlreadyPublished is returned by Publish when the signal already
	// forwards to the subject: its listener key is taken.
	ErrAlreadyPublished = errors.New("natssignals: the signal already publishes to the subject")

	// ErrUnsupportedSignal is returned by Subscribe for a signal that is
	// neither a *signals.SyncSignal nor a *signals.AsyncSignal: the
	// subscriber must learn whether the listeners succeeded.
	ErrUnsupportedSignal = errors.New("natssignals: the signal must be a *signals.SyncSignal or *signals.AsyncSignal")

	// ErrContentType is wrapped by the [DecodeError] of a message whose
	// Content-Type header names another encoding than the codec's.
	ErrContentType = errors.New("natssignals: content type does not match the codec")
)

// PublishError reports a message the publisher gave up on: every attempt
// to have JetStream acknowledge it failed. It is passed to the error
// handler ([WithErrorHandler]) and counted in
// messaging.client.sent.messages with the error.type of Err.
type PublishError struct {
	Subject  string // the subject it was published to
	MsgID    string // its Nats-Msg-Id
	Attempts int    // how many times it was published
	Err      error  // the last attempt's error
}

// Error describes the failure.
func (e *PublishError) Error() string {
	return fmt.Sprintf("natssignals: publish to %q (Nats-Msg-Id %s) failed after %d attempts: %v", e.Subject, e.MsgID, e.Attempts, e.Err)
}

// Unwrap returns the last attempt's error.
func (e *PublishError) Unwrap() error { return e.Err }

// ErrorType returns the error.type of the last attempt's error, so that the
// metrics name the cause rather than this wrapper.
func (e *PublishError) ErrorType() string { return semconv.ErrorTypeOf(e.Err) }

// DecodeError reports a message whose payload the codec could not decode.
// The message goes to the dead-letter subject with this error in its
// headers, and never reaches a listener.
type DecodeError struct {
	Subject string // the subject the message was received on
	Err     error  // the codec's error, or one wrapping ErrContentType
}

// Error describes the failure.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("natssignals: message on %q does not decode: %v", e.Subject, e.Err)
}

// Unwrap returns the codec's error.
func (e *DecodeError) Unwrap() error { return e.Err }

// DeadLetterError reports a message that should have gone to the
// dead-letter subject and could not be published there. The message is
// negatively acknowledged instead, so that JetStream delivers it again and
// the subscriber retries.
type DeadLetterError struct {
	Subject    string // the dead-letter subject
	Stream     string // the stream of the original message
	Sequence   uint64 // its stream sequence
	Reason     string // "decode" or "max_deliver"
	Err        error  // the publish error
	ProcessErr error  // why the message was dead-lettered
}

// Error describes the failure.
func (e *DeadLetterError) Error() string {
	return fmt.Sprintf("natssignals: dead-lettering message %s/%d to %q (%s: %v) failed: %v",
		e.Stream, e.Sequence, e.Subject, e.Reason, e.ProcessErr, e.Err)
}

// Unwrap returns the publish error.
func (e *DeadLetterError) Unwrap() error { return e.Err }
