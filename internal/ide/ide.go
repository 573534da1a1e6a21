// Package ide serves the browser IDE of the Caseload API: GraphiQL with a
// sign-in bar and example operations, entirely from embedded files so that
// it works without internet access (no CDN).
//
// The vendored files in assets/ are unmodified copies from the npm registry:
// graphiql@4.1.2 (graphiql.min.js, graphiql.min.css; its UMD build expects
// the globals React and ReactDOM), react@18.3.1 and react-dom@18.3.1
// (umd/*.production.min.js). Their licenses are in assets/LICENSES and are
// served under /ide/LICENSES/. Every script and style sheet is served at a
// URL that carries a hash of its content, so it may be cached for a year.
package ide

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"
)

//go:embed index.html
var indexHTML string

//go:embed assets
var assetFiles embed.FS

// The files the page loads, in order. React must come before ReactDOM, and
// both before GraphiQL, whose UMD build reads the globals they define.
var (
	pageStyles  = []string{"graphiql-4.1.2.min.css", "caseload-ide.css"}
	pageScripts = []string{
		"react-18.3.1.production.min.js",
		"react-dom-18.3.1.production.min.js",
		"graphiql-4.1.2.min.js",
	}
	bootScript = "caseload-ide.js"
)

const (
	assetPrefix  = "/ide/"
	immutable    = "public, max-age=31536000, immutable"
	licenseCache = "public, max-age=86400"
)

var page = template.Must(template.New("index.html").Parse(indexHTML))

// asset is one embedded file and how to serve it.
type asset struct {
	body         []byte
	contentType  string
	etag         string
	cacheControl string

	gzipOnce sync.Once
	gzipped  []byte // nil when compressing does not pay
}

// bundle is the set of embedded files by URL path, and the URL of each file
// the page references by its name in assets/.
type bundle struct {
	byPath map[string]*asset
	url    map[string]string
}

var loadBundle = sync.OnceValue(func() *bundle {
	b := &bundle{byPath: map[string]*asset{}, url: map[string]string{}}
	err := fs.WalkDir(assetFiles, "assets", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := assetFiles.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:16]
		rel := strings.TrimPrefix(name, "assets/")
		a := &asset{body: body, contentType: contentType(rel), etag: `"` + hash + `"`}
		var urlPath string
		if strings.HasPrefix(rel, "LICENSES/") {
			// Plain names, for people to read and link to.
			urlPath = assetPrefix + rel
			a.cacheControl = licenseCache
		} else {
			// Content-addressed names: a changed file gets a new URL.
			ext := path.Ext(rel)
			urlPath = assetPrefix + strings.TrimSuffix(rel, ext) + "." + hash + ext
			a.cacheControl = immutable
		}
		if a.contentType == "" {
			return fmt.Errorf("ide: no content type for %s", name)
		}
		b.byPath[urlPath] = a
		b.url[rel] = urlPath
		return nil
	})
	if err != nil {
		panic(err)
	}
	for _, name := range append(append(append([]string{}, pageStyles...), pageScripts...), bootScript) {
		if b.url[name] == "" {
			panic("ide: missing embedded asset " + name)
		}
	}
	return b
})

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".txt":
		return "text/plain; charset=utf-8"
	}
	return ""
}

// pageConfig is what the boot script reads from the page.
type pageConfig struct {
	Endpoint    string    `json:"endpoint"`
	Tabs        []example `json:"tabs"`
	NewTabQuery string    `json:"newTabQuery"`
	Licenses    []license `json:"licenses"`
}

type license struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

type pageData struct {
	Title    string
	Endpoint string
	Styles   []string
	Scripts  []string
	Boot     string
	Nonce    string
	Config   string
	// Notice is shown above the IDE when not empty.
	Notice string
}

// An Option changes what Handler serves.
type Option func(*handler)

// WithNotice shows, above the IDE, the text notice returns for each page
// load (none when it returns ""): e.g. that the server still needs setting up.
func WithNotice(notice func(*http.Request) string) Option {
	return func(h *handler) { h.notice = notice }
}

// Handler serves the IDE page at "/" and its assets under "/ide/"; every
// other path is 404. endpoint is the GraphQL endpoint path, e.g. "/graphql"
// (an absolute http(s) URL also works: its origin is allowed to connect).
func Handler(endpoint string, opts ...Option) http.Handler {
	b := loadBundle()
	cfg, err := json.Marshal(pageConfig{
		Endpoint:    endpoint,
		Tabs:        examples,
		NewTabQuery: newTabQuery,
		Licenses: []license{
			{Name: "GraphiQL 4.1.2", URL: b.url["LICENSES/graphiql.txt"]},
			{Name: "React 18.3.1", URL: b.url["LICENSES/react.txt"]},
			{Name: "ReactDOM 18.3.1", URL: b.url["LICENSES/react-dom.txt"]},
		},
	})
	if err != nil {
		panic(err)
	}
	data := pageData{
		Title:    "Caseload API",
		Endpoint: endpoint,
		Boot:     b.url[bootScript],
		Config:   string(cfg),
	}
	for _, s := range pageStyles {
		data.Styles = append(data.Styles, b.url[s])
	}
	for _, s := range pageScripts {
		data.Scripts = append(data.Scripts, b.url[s])
	}
	connect := "'self'"
	if u, err := url.Parse(endpoint); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		connect += " " + u.Scheme + "://" + u.Host
	}
	h := &handler{bundle: b, data: data, connectSrc: connect}
	for _, o := range opts {
		o(h)
	}
	return h
}

type handler struct {
	bundle     *bundle
	data       pageData
	connectSrc string
	notice     func(*http.Request) string
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/":
		if !allowRead(w, r) {
			return
		}
		h.servePage(w, r)
	case strings.HasPrefix(r.URL.Path, assetPrefix):
		a := h.bundle.byPath[r.URL.Path]
		if a == nil {
			http.NotFound(w, r)
			return
		}
		if !allowRead(w, r) {
			return
		}
		a.serve(w, r)
	default:
		http.NotFound(w, r)
	}
}

func allowRead(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

// csp allows scripts only from this origin, style sheets from this origin
// plus <style> elements carrying the page's nonce (GraphiQL's dialogs add
// one; the boot script hands the nonce to them), and the data: URLs of the
// fonts and icons inlined in GraphiQL's style sheet.
func (h *handler) csp(nonce string) string {
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self' 'nonce-" + nonce + "'",
		"font-src 'self' data:",
		"img-src 'self' data:",
		"connect-src " + h.connectSrc,
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}

func (h *handler) servePage(w http.ResponseWriter, r *http.Request) {
	var raw [18]byte
	if _, err := rand.Read(raw[:]); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	data := h.data
	data.Nonce = base64.RawURLEncoding.EncodeToString(raw[:])
	if h.notice != nil {
		data.Notice = h.notice(r)
	}
	var buf bytes.Buffer
	if err := page.Execute(&buf, data); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Security-Policy", h.csp(data.Nonce))
	hdr.Set("Cache-Control", "no-store") // a fresh nonce every time
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	_, _ = w.Write(buf.Bytes()) // fails only when the client has gone
}

func (a *asset) serve(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Type", a.contentType)
	hdr.Set("Cache-Control", a.cacheControl)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Add("Vary", "Accept-Encoding")
	body, etag := a.body, a.etag
	if acceptsGzip(r) {
		if gz := a.gzip(); gz != nil {
			body, etag = gz, strings.TrimSuffix(a.etag, `"`)+`-gzip"`
			hdr.Set("Content-Encoding", "gzip")
		}
	}
	hdr.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// gzip compresses the asset once, on first demand.
func (a *asset) gzip() []byte {
	a.gzipOnce.Do(func() {
		if len(a.body) < 1024 {
			return
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // a valid level
		if _, err := zw.Write(a.body); err != nil {
			return // serve the asset uncompressed
		}
		if err := zw.Close(); err != nil {
			return // a truncated stream would corrupt the asset
		}
		if buf.Len() < len(a.body)*9/10 {
			a.gzipped = buf.Bytes()
		}
	})
	return a.gzipped
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
