// Package reqid carries the request id that ties an error shown to a client
// to the server's log line and audit events about it. The server makes every
// id itself (New): a caller's X-Request-ID is only a hint for the log line
// (ClientHint), never the id of the audit log, so that no caller can make two
// users' events share one.
package reqid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
)

type ctxKey struct{}

// New returns a random request id.
func New() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// MaxClientHint is the most of a caller's X-Request-ID the log keeps.
const MaxClientHint = 64

// ClientHint returns what the log may keep of a caller's X-Request-ID: its
// letters, digits, '.', '_' and '-', at most MaxClientHint of them.
func ClientHint(s string) string {
	b := make([]byte, 0, min(len(s), MaxClientHint))
	for i := 0; i < len(s) && len(b) < MaxClientHint; i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
			b = append(b, c)
		}
	}
	return string(b)
}

// NewContext returns ctx carrying id.
func NewContext(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// FromContext returns the request id on ctx, or "".
func FromContext(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

type originKey struct{}

// Origin is where a request came from, for the audit log.
type Origin struct {
	// Address is the client's network address.
	Address string
	// UserAgent is the client software, as it says.
	UserAgent string
}

// WithOrigin returns ctx carrying the request's origin.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

// OriginFrom returns the request's origin on ctx (empty outside a request).
func OriginFrom(ctx context.Context) Origin {
	o, _ := ctx.Value(originKey{}).(Origin)
	return o
}
