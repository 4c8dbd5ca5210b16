package natssignals

import "encoding/json"

// Codec encodes payloads into message bodies and decodes them back. JSON is
// the default ([JSON]); a protobuf codec, for example, asserts that v is a
// proto.Message and calls proto.Marshal and proto.Unmarshal.
//
// The publisher calls Marshal with the emitted payload; the subscriber calls
// Unmarshal with a pointer to a zero payload of the signal's type. Both may
// be called concurrently from many goroutines. Marshal must return a slice
// that it does not modify afterwards: it is published as it is.
type Codec interface {
	// Marshal returns the encoding of v.
	Marshal(v any) ([]byte, error)
	// Unmarshal decodes data into v, a non-nil pointer.
	Unmarshal(data []byte, v any) error
	// ContentType names the encoding, like "application/json". The
	// publisher sends it in the Content-Type header; a subscriber treats a
	// message whose header names another encoding as undecodable. An empty
	// string sends no header and accepts any.
	ContentType() string
}

// JSON returns the JSON codec of package encoding/json, with content type
// "application/json". It is the default codec.
func JSON() Codec { return jsonCodec{} }

type jsonCodec struct{}

func (jsonCodec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (jsonCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
func (jsonCodec) ContentType() string                { return "application/json" }
