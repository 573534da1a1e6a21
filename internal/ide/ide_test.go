package ide

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/caseload/caseload/operations"
)

func get(t *testing.T, h http.Handler, path string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var (
	srcAttr   = regexp.MustCompile(`<script\b[^>]*\bsrc="([^"]*)"`)
	hrefAttr  = regexp.MustCompile(`<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]*)"`)
	anyURLRef = regexp.MustCompile(`(?i)\b(?:src|href)\s*=\s*"([^"]*)"`)
	nonceAttr = regexp.MustCompile(`<script\b[^>]*\bnonce="([^"]+)"`)
	dataAttr  = regexp.MustCompile(`data-config="([^"]*)"`)
)

func TestPage(t *testing.T) {
	h := Handler("/graphql")
	res := get(t, h, "/")
	page := body(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type = %q", ct)
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "form-action 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "http") {
		t.Errorf("CSP too loose: %q", csp)
	}
	if !strings.Contains(page, "<title>Caseload API</title>") {
		t.Error("page lacks the title")
	}

	// The boot script carries the nonce of this response's CSP, and the
	// nonce changes with every response.
	m := nonceAttr.FindStringSubmatch(page)
	if len(m) < 2 || !strings.Contains(csp, "'nonce-"+m[1]+"'") {
		t.Errorf("script nonce %v not in CSP %q", m, csp)
	}
	again := get(t, h, "/").Header.Get("Content-Security-Policy")
	if again == csp {
		t.Error("the nonce did not change between responses")
	}

	// No inline script: every <script> has a src.
	if n, withSrc := strings.Count(page, "<script"), len(srcAttr.FindAllString(page, -1)); n != withSrc {
		t.Errorf("%d <script> elements, %d with src: inline scripts are refused by the CSP", n, withSrc)
	}
	if strings.Contains(page, "<style") || strings.Contains(page, " style=") {
		t.Error("inline styles are refused by the CSP")
	}

	scripts := srcAttr.FindAllStringSubmatch(page, -1)
	styles := hrefAttr.FindAllStringSubmatch(page, -1)
	if len(scripts) != 4 || len(styles) != 2 {
		t.Fatalf("want 4 scripts and 2 style sheets, got %v and %v", scripts, styles)
	}
	for _, m := range anyURLRef.FindAllStringSubmatch(page, -1) {
		u := html.UnescapeString(m[1])
		if strings.Contains(strings.ToLower(u), "http://") || strings.Contains(strings.ToLower(u), "https://") || strings.HasPrefix(u, "//") {
			t.Errorf("page references a remote URL: %s", m[0])
		}
	}
	check := func(ref, wantType string) {
		t.Helper()
		u := html.UnescapeString(ref)
		if !strings.HasPrefix(u, "/ide/") {
			t.Errorf("asset %q is not under /ide/", u)
			return
		}
		res := get(t, h, u)
		b := body(t, res)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d", u, res.StatusCode)
			return
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, wantType) {
			t.Errorf("GET %s: Content-Type %q, want %s", u, ct, wantType)
		}
		if len(b) == 0 {
			t.Errorf("GET %s: empty", u)
		}
		if cc := res.Header.Get("Cache-Control"); wantType != "text/plain" && !strings.Contains(cc, "max-age=31536000") {
			t.Errorf("GET %s: Cache-Control %q", u, cc)
		}
	}
	for _, m := range scripts {
		check(m[1], "text/javascript")
	}
	for _, m := range styles {
		check(m[1], "text/css")
	}
	// React, then ReactDOM, then GraphiQL, then the boot script.
	order := []string{"/ide/react-18.3.1.", "/ide/react-dom-18.3.1.", "/ide/graphiql-4.1.2.", "/ide/caseload-ide."}
	for i, m := range scripts {
		if !strings.HasPrefix(m[1], order[i]) {
			t.Errorf("script %d is %s, want %s*", i, m[1], order[i])
		}
	}

	// The configuration: endpoint, example tabs and license links.
	d := dataAttr.FindStringSubmatch(page)
	if d == nil {
		t.Fatal("no data-config")
	}
	var cfg pageConfig
	if err := json.Unmarshal([]byte(html.UnescapeString(d[1])), &cfg); err != nil {
		t.Fatalf("data-config: %v", err)
	}
	if cfg.Endpoint != "/graphql" || len(cfg.Tabs) != len(examples) || len(cfg.Licenses) != 3 || cfg.NewTabQuery == "" {
		t.Errorf("config = %+v", cfg)
	}
	for _, l := range cfg.Licenses {
		check(l.URL, "text/plain")
	}
}

func TestAssetsAndNotFound(t *testing.T) {
	h := Handler("/graphql")
	for _, path := range []string{
		"/ide/graphiql-4.1.2.min.js", // without its content hash
		"/ide/nope.js",
		"/ide/",
		"/ide/LICENSES/nope.txt",
		"/favicon.ico",
		"/graphiql",
	} {
		if res := get(t, h, path); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, res.StatusCode)
		}
	}

	b := loadBundle()
	js := b.url["graphiql-4.1.2.min.js"]
	plain := get(t, h, js)
	raw := body(t, plain)

	// gzip when asked, the same bytes after decompression.
	res := get(t, h, js, "Accept-Encoding", "gzip, deflate")
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("no gzip: %v", res.Header)
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(unzipped, []byte(raw)) {
		t.Error("gzip body differs")
	}
	if res.Header.Get("ETag") == plain.Header.Get("ETag") {
		t.Error("gzip and identity share an ETag")
	}

	// Revalidation.
	if res := get(t, h, js, "If-None-Match", plain.Header.Get("ETag")); res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match = %d, want 304", res.StatusCode)
	}

	// Only GET and HEAD.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %d", rec.Code)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, js, nil))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD %s = %d with %d bytes", js, rec.Code, rec.Body.Len())
	}
}

func TestAbsoluteEndpoint(t *testing.T) {
	res := get(t, Handler("https://api.example.org/graphql"), "/")
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "connect-src 'self' https://api.example.org;") {
		t.Errorf("CSP %q", csp)
	}
}

// The example tabs must stay valid against the schema as it grows.
func TestExamplesMatchSchema(t *testing.T) {
	// schema.graphqls is the whole API, printed by go generate.
	b, err := os.ReadFile("../../schema.graphqls")
	if err != nil {
		t.Fatalf("the printed schema: %v", err)
	}
	schema, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(b)})
	if err != nil {
		t.Fatalf("schema: %v", err)
	}
	for _, ex := range append(examples, example{Title: "new tab", Query: newTabQuery}) {
		doc, errs := gqlparser.LoadQueryWithRules(schema, ex.Query, nil)
		if len(errs) > 0 {
			t.Errorf("%s: %v", ex.Title, errs)
			continue
		}
		// The tab runs as it opens: every variable has a value.
		given := map[string]any{}
		if ex.Variables != "" {
			if err := json.Unmarshal([]byte(ex.Variables), &given); err != nil {
				t.Errorf("%s: variables are not a JSON object: %v", ex.Title, err)
			}
		}
		if ex.LastYear {
			given["from"], given["to"] = "", ""
		}
		var declared []string
		for _, op := range doc.Operations {
			for _, v := range op.VariableDefinitions {
				declared = append(declared, v.Variable)
				if _, ok := given[v.Variable]; !ok && v.DefaultValue == nil && v.Type.NonNull {
					t.Errorf("%s: no value for $%s", ex.Title, v.Variable)
				}
			}
		}
		for name := range given {
			if !slices.Contains(declared, name) {
				t.Errorf("%s: variable %q is not declared", ex.Title, name)
			}
		}
	}
}

// Each example tab tells its reader who it is for and how to sign in.
func TestExamplesSayWhoTheyAreFor(t *testing.T) {
	names := map[string]bool{}
	for _, ex := range examples {
		if !strings.HasPrefix(ex.Query, "# For ") {
			t.Errorf("%s: does not start with a comment saying who it is for", ex.Title)
		}
		if !strings.Contains(ex.Query, "@demo.example") || !strings.Contains(ex.Query, "caseload-demo") {
			t.Errorf("%s: does not say which demo login to sign in with", ex.Title)
		}
		// GraphiQL titles a tab by its operation name.
		m := regexp.MustCompile(`(?m)^(?:query|mutation) (\w+)`).FindStringSubmatch(ex.Query)
		if len(m) < 2 || names[m[1]] {
			t.Errorf("%s: no operation name, or one another tab has: %v", ex.Title, m)
			continue
		}
		names[m[1]] = true
	}
	for _, role := range []string{"clinician@", "supervisor@", "admin@", "analyst@"} {
		found := false
		for _, ex := range examples {
			found = found || strings.Contains(ex.Query, role)
		}
		if !found {
			t.Errorf("no example tab for %sdemo.example", role)
		}
	}
}

// Every screen of package operations is a tab, so that the server's test
// of the tabs runs each one on the demo practice.
func TestEveryOperationIsATab(t *testing.T) {
	for _, d := range operations.All() {
		found := false
		for _, ex := range examples {
			found = found || ex.Query == d.Body
		}
		if !found {
			t.Errorf("operations/%s.graphql is no tab of the IDE", d.Name)
		}
	}
}

// TestNotice: WithNotice is asked at every page load; its text is escaped
// and shown above the IDE, and nothing is shown while it returns "".
func TestNotice(t *testing.T) {
	text := "No admin yet: run <caseload bootstrap>"
	h := Handler("/graphql", WithNotice(func(*http.Request) string { return text }))
	page := body(t, get(t, h, "/"))
	if !strings.Contains(page, `<p class="caseload-notice" role="alert">No admin yet: run &lt;caseload bootstrap&gt;</p>`) {
		t.Errorf("no escaped notice on the page:\n%s", page)
	}
	text = ""
	if page := body(t, get(t, h, "/")); strings.Contains(page, "caseload-notice") {
		t.Errorf("a notice on the page while there is none:\n%s", page)
	}
	if page := body(t, get(t, Handler("/graphql"), "/")); strings.Contains(page, "caseload-notice") {
		t.Error("a notice without WithNotice")
	}
}
