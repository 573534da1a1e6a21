package main

import (
	"net/http"
	"strings"
)

// corsAllowHeaders are the request headers a browser app may send from an
// allowed origin: the token, the JSON body's type and a mutation's
// idempotency key.
const corsAllowHeaders = "Authorization, Content-Type, Idempotency-Key"

// cors lets browser apps served from the allowed origins call the API: it
// answers their preflight requests and names the origin in
// Access-Control-Allow-Origin, never a wildcard. Requests from any other
// origin get no CORS headers (their preflight is refused), so the browser
// keeps the response from the page. Tokens travel in the Authorization
// header, not in cookies, so credentials are not allowed.
func cors(allowed []string, next http.Handler) http.Handler {
	allow := make(map[string]bool, len(allowed))
	for _, o := range allowed {
		allow[strings.ToLower(o)] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		ok := origin != "" && allow[strings.ToLower(origin)]
		if r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			if !ok {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if ok {
			h.Set("Access-Control-Allow-Origin", origin)
			// The request id lets the app quote an internal error.
			h.Set("Access-Control-Expose-Headers", "X-Request-ID")
		}
		next.ServeHTTP(w, r)
	})
}
