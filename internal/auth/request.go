package auth

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// ClientAddress is the IP address a request comes from: the peer's, or,
// when the server sits behind a proxy it trusts, the last address of
// X-Forwarded-For (the one that proxy appended; earlier ones are whatever
// the client claimed). Trust it only behind a proxy that sets the header.
func ClientAddress(r *http.Request, trustProxy bool) string {
	if trustProxy {
		values := r.Header.Values("X-Forwarded-For")
		if len(values) > 0 {
			parts := strings.Split(values[len(values)-1], ",")
			if ip, err := netip.ParseAddr(strings.TrimSpace(parts[len(parts)-1])); err == nil {
				return ip.Unmap().String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type responseHeaderKey struct{}

// withResponseHeader lets the resolvers of the request add HTTP headers to
// its response (before it is written).
func withResponseHeader(ctx context.Context, h http.Header) context.Context {
	return context.WithValue(ctx, responseHeaderKey{}, h)
}

// SetRetryAfter sets the Retry-After header (in seconds) of the response of
// the request on ctx, if there is one.
func SetRetryAfter(ctx context.Context, seconds int) {
	if h, ok := ctx.Value(responseHeaderKey{}).(http.Header); ok {
		h.Set("Retry-After", strconv.Itoa(seconds))
	}
}
