package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/privacy"
	"github.com/caseload/caseload/internal/fakepractice"
	"github.com/caseload/caseload/internal/testdb"
)

const (
	// envChromium names the Chromium binary (default: Debian's).
	envChromium = "CASELOAD_CHROMIUM"
	// envArtifacts names a directory for the screenshot (CI keeps it).
	envArtifacts = "CASELOAD_TEST_ARTIFACTS"
	// browserTab is the example tab the browser test runs, by operation name.
	browserTab = "PracticeMetricsByMonth"
)

// TestBrowserIDE drives the IDE at / in headless Chromium against the demo
// practice: an analyst signs in through the sign-in bar, runs the metrics
// tab, sees figures and no client's name; the access token (short-lived
// here) is renewed with the refresh token, which never reaches
// localStorage (nor does the access token: the tabs are kept in
// sessionStorage); a session ended on the server shows "Session ended"; and
// sign-out ends the session on the server.
func TestBrowserIDE(t *testing.T) {
	testdb.SkipUnderShort(t, "seeds the demo practice and drives a browser")
	chromium := os.Getenv(envChromium)
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		// CI installs Chromium (.ci/run) and must run this test; a
		// newcomer's first go test ./... must pass without it.
		const how = "the browser test needs Chromium: install Debian's chromium (apt-get install -y --no-install-recommends chromium) or set %s, then run go test -run Browser -count=1 -v ./server: %v"
		if os.Getenv("CI") != "" {
			t.Fatalf(how, envChromium, err)
		}
		t.Skipf(how, envChromium, err)
	}

	// Tokens last 12 s, so that the IDE renews one within the test.
	const tokenTTL = 12 * time.Second
	// Introspection off, as in production: the schema's docs are there for
	// the signed-in user all the same.
	s := newDemoServer(t, func(c *Config) {
		c.TokenTTL = tokenTTL
		c.RefreshTokenTTL = time.Hour
		c.Introspection = false
	})
	lastNames, err := s.main.DB.Ent.ClientProfile.Query().
		Order(clientprofile.ByID()).Limit(20).
		Select(clientprofile.FieldLastName).
		Strings(privacy.DecisionContext(context.Background(), privacy.Allow))
	if err != nil || len(lastNames) == 0 {
		t.Fatalf("demo clients' last names: %v, %d", err, len(lastNames))
	}
	web := httptest.NewServer(s.handler)
	defer web.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ctx, cancel = chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// Offline machines: no calls home, no refused-connection storms.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1400, 900),
	)
	defer cancel()
	ctx, cancel = chromedp.NewContext(ctx, chromedp.WithErrorf(t.Logf))
	defer cancel()

	b := &browser{t: t, ctx: ctx}
	defer b.watchConsole()()
	b.run("plant what an earlier version left in localStorage: tabs with a token",
		chromedp.Navigate(web.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`.graphiql-container`)),
		chromedp.Evaluate[chromedp.Void](`localStorage.setItem('graphiql:tabState', JSON.stringify({tabs: [{headers: '{"Authorization": "Bearer stale.token.value"}'}]})); localStorage.setItem('caseload-ide:session', '{"tokenTail": "token.value"}')`),
	)
	b.run("open the IDE",
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`.graphiql-container`)),
		chromedp.WaitVisible(chromedp.CSS(`.caseload-bar input[name=email]`)),
		chromedp.Evaluate[chromedp.Void](ideScript),
	)
	today := time.Now().Format(time.DateOnly)
	b.signIn("analyst@demo.example")
	first := b.session()
	if first.Refresh == "" || first.TokenTail == "" {
		t.Fatal("after sign-in, no refresh token in sessionStorage or no session record")
	}
	// Issue 16, finding 16: the access token is in the tabs' Authorization
	// header, kept in sessionStorage, and nothing of it in localStorage,
	// which outlives the browser tab (so do the stale tabs of an earlier
	// version, planted before the page loaded: they are removed).
	if first.Token == "" || first.TabsWithToken == 0 {
		t.Error("after sign-in, no tab has the Authorization header")
	}
	if first.LocalStorage != "" {
		t.Errorf("after sign-in, localStorage holds %d characters, want nothing", len(first.LocalStorage))
	}

	b.run("open the schema's docs", chromedp.Click(chromedp.CSS(`button[aria-label="Show Documentation Explorer"]`)))
	b.waitFor("the schema's docs", `(() => { const d = document.querySelector('.graphiql-doc-explorer'); return Boolean(d) && d.innerText.includes('Mutation') && !d.innerText.includes('Error fetching schema'); })()`)

	b.run("open the metrics tab", chromedp.Click(`//button[contains(@class,"graphiql-tab-button")][normalize-space()="`+browserTab+`"]`))
	b.waitFor("the tab's operation", `operation() === `+jsString(browserTab))
	variables := b.eval(`cm('.graphiql-editor-tool')`)
	if !strings.Contains(variables, `"to": "`+today+`"`) && !strings.Contains(variables, `"to": "`+time.Now().Format(time.DateOnly)+`"`) {
		t.Errorf("variables of the metrics tab = %s, want \"to\" today (%s)", variables, today)
	}
	screen := b.execute()
	for _, want := range []string{`"practiceMetrics"`, `"sessionsBooked"`, `"minimumGroupClients"`} {
		if !strings.Contains(screen, want) {
			t.Errorf("the response pane does not show %s", want)
		}
	}

	// No client's name anywhere on the page (clinicians' names are not
	// identifying, and this tab shows none).
	page := b.eval(`document.body.innerText`)
	for _, name := range lastNames {
		if regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`).MatchString(page) {
			t.Errorf("a demo client's last name (of %d checked) is on screen", len(lastNames))
			break
		}
	}
	b.screenshot()

	// Renewal: shortly before the token expires the IDE exchanges the
	// refresh token for a new pair and puts the new token in every tab.
	b.waitFor("the token to be renewed", `(JSON.parse(sessionStorage.getItem('caseload-ide:session')||'{}').tokenTail||'') !== `+jsString(first.TokenTail))
	b.waitFor("the tabs to be saved with the renewed token", `stored()`)
	renewed := b.session()
	if renewed.Refresh == "" || renewed.Refresh == first.Refresh {
		t.Error("renewal did not store a new refresh token")
	}
	if renewed.TabsWithToken != renewed.Tabs || renewed.Tabs == 0 {
		t.Errorf("%d of %d tabs carry the renewed token", renewed.TabsWithToken, renewed.Tabs)
	}
	for _, r := range []string{first.Refresh, renewed.Refresh} {
		if strings.Contains(renewed.LocalStorage, r) {
			t.Error("a refresh token is in localStorage")
		}
	}
	// The first token has expired by now; the renewed one answers.
	time.Sleep(time.Until(first.ExpiresAt.Add(time.Second)))
	if screen := b.execute(); !strings.Contains(screen, `"sessionsBooked"`) {
		t.Error("after renewal, the metrics tab does not answer")
	}

	// A session ended elsewhere (here: logout with the renewed token) is
	// refused at the next renewal, and the bar says so.
	if data := s.mustDo(renewed.Token, logoutOp, nil); toJSON(data["logout"]) != `{"endedSessions":1,"userErrors":[]}` {
		t.Fatalf("logout = %v", toJSON(data["logout"]))
	}
	b.waitFor("the session to end", `document.querySelector('.caseload-bar [role=status]').innerText.includes('Session ended: sign in again.')`)
	if ended := b.session(); ended.Refresh != "" || ended.TokenTail != "" {
		t.Error("after the session ended, the IDE keeps its record or refresh token")
	}

	// Sign in again, then sign out: that forgets the tokens and ends the
	// session on the server.
	b.signIn("analyst@demo.example")
	again := b.session()
	if again.Token == "" || again.Refresh == "" {
		t.Fatal("after signing in again, no token in the tabs or no refresh token")
	}
	b.run("sign out", chromedp.Click(chromedp.CSS(`.caseload-bar button.caseload-secondary`)))
	b.waitFor("the sign-out", `document.querySelector('.caseload-bar [role=status]').innerText.includes('Not signed in') && sessionStorage.getItem('caseload-ide:refresh') === null`)
	deadline := time.Now().Add(5 * time.Second)
	for {
		res := s.do(again.Token, `{ me { email } }`, nil)
		if res.code() == "UNAUTHENTICATED" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after sign-out the access token still works: %+v", res.Errors)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if res := s.do("", `mutation($r: String!) { refreshToken(input: {refreshToken: $r}) { expiresAt } }`, map[string]any{"r": again.Refresh}); res.code() != "UNAUTHENTICATED" {
		t.Errorf("after sign-out the refresh token renews: %+v", res.Errors)
	}
}

// browser runs steps of one test in one page.
type browser struct {
	t   *testing.T
	ctx context.Context
}

// ideScript defines helpers for the page: cm(selector) is the text of the
// first CodeMirror editor inside the element selector names (empty when
// there is none yet); operation() is the operation the run button runs;
// stored() is true once GraphiQL has saved every tab with the session's
// token (it saves half a second after a change).
const ideScript = `
window.cm = (sel) => { const el = document.querySelector(sel + ' .CodeMirror'); return el && el.CodeMirror ? el.CodeMirror.getValue() : ''; };
window.operation = () => { const el = document.querySelector('.graphiql-query-editor .CodeMirror'); return el && el.CodeMirror ? el.CodeMirror.operationName : null; };
window.stored = () => {
  const s = JSON.parse(sessionStorage.getItem('caseload-ide:session') || '{}');
  const key = Object.keys(sessionStorage).find(k => k.endsWith('tabState'));
  const tabs = key ? JSON.parse(sessionStorage.getItem(key)).tabs : [];
  return Boolean(s.tokenTail) && tabs.length > 0 && tabs.every(t => (t.headers || '').includes(s.tokenTail + '"'));
};`

// run does the steps in order; an error fails the test, with a screenshot.
func (b *browser) run(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.fail(step, err)
	}
}

// signIn signs in with the bar and waits until GraphiQL has saved every
// tab with the new token.
func (b *browser) signIn(email string) {
	b.t.Helper()
	// The bar keeps the last email it signed in with.
	if typed := b.eval(`document.querySelector('.caseload-bar input[name=email]').value`); typed == "" {
		b.run("type the email", chromedp.SendKeys(chromedp.CSS(`.caseload-bar input[name=email]`), email))
	} else if typed != email {
		b.t.Fatalf("the email field holds %q", typed)
	}
	b.run("sign in as "+email,
		chromedp.SendKeys(chromedp.CSS(`.caseload-bar input[name=password]`), fakepractice.Password),
		chromedp.Click(chromedp.CSS(`.caseload-bar button[type=submit]`)),
	)
	b.waitFor("the sign-in to show", `document.querySelector('.caseload-bar [role=status]').innerText.includes(`+jsString("Signed in as "+email)+`)`)
	b.waitFor("the tabs to be saved with the token", `stored()`)
}

// eval returns the string value of a script expression.
func (b *browser) eval(expr string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.fail("evaluate "+expr, err)
	}
	return v
}

// waitFor waits until the script expression is true.
func (b *browser) waitFor(what, expr string) {
	b.t.Helper()
	b.run("wait for "+what, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(100*time.Millisecond)))
}

// watchConsole collects the page's script errors and browser errors (their
// text: the IDE logs no data) and returns a func that logs them.
func (b *browser) watchConsole() func() {
	var (
		mu     sync.Mutex
		seen   []string
		events = chromedp.Console(b.ctx)
	)
	// The goroutine ends with the browser's context; it never calls t.
	go func() {
		for m, err := range events {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleError {
				mu.Lock()
				seen = append(seen, string(m.Type)+": "+m.Text)
				mu.Unlock()
			}
		}
	}()
	return func() {
		mu.Lock()
		defer mu.Unlock()
		for _, line := range seen {
			b.t.Logf("browser console: %s", line)
		}
	}
}

// fail ends the test with a screenshot of the page.
func (b *browser) fail(step string, err error) {
	b.t.Helper()
	if !errors.Is(err, context.DeadlineExceeded) {
		b.screenshot()
	}
	b.t.Fatalf("%s: %v", step, err)
}

// execute presses the run button of the active tab and returns the text the
// response pane shows once the response is in. It fails the test if the
// response has errors.
func (b *browser) execute() string {
	b.t.Helper()
	b.run("run the tab",
		chromedp.Evaluate[chromedp.Void](`(() => { const el = document.querySelector('.result-window .CodeMirror'); if (el && el.CodeMirror) el.CodeMirror.setValue(''); })()`),
		chromedp.Click(chromedp.CSS(`.graphiql-execute-button`)),
	)
	b.waitFor("the response", `/"(data|errors)"/.test(cm('.result-window'))`)
	var res struct {
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	if err := json.Unmarshal([]byte(b.eval(`cm('.result-window')`)), &res); err != nil {
		b.t.Errorf("the response pane does not hold JSON: %v", err)
	}
	for _, e := range res.Errors {
		// The messages and codes only: the data may name clients.
		b.t.Errorf("the response has an error: %s (%s)", e.Message, e.Extensions.Code)
	}
	return b.eval(`document.querySelector('.graphiql-response').innerText`)
}

// screenshot saves a PNG of the page to $CASELOAD_TEST_ARTIFACTS/ide.png, or
// to the test's temporary directory.
func (b *browser) screenshot() {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Logf("screenshot: %v", err)
		return
	}
	dir := os.Getenv(envArtifacts)
	if dir == "" {
		dir = b.t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Errorf("screenshot: %v", err)
		return
	}
	path := filepath.Join(dir, "ide.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Errorf("screenshot: %v", err)
		return
	}
	b.t.Logf("screenshot of the IDE: %s", path)
}

// ideSession is what the page keeps of a sign-in. Tokens stay in memory:
// never logged.
type ideSession struct {
	TokenTail     string    `json:"tokenTail"`
	ExpiresAt     time.Time `json:"expiresAt"`
	Refresh       string    `json:"refresh"`
	Token         string    `json:"token"`
	Tabs          int       `json:"tabs"`
	TabsWithToken int       `json:"tabsWithToken"`
	LocalStorage  string    `json:"localStorage"`
}

// session reads the session record and the refresh token (sessionStorage),
// the bearer token of GraphiQL's tabs (sessionStorage) and everything in
// localStorage.
func (b *browser) session() ideSession {
	b.t.Helper()
	raw := b.eval(`(() => {
  const s = JSON.parse(sessionStorage.getItem('caseload-ide:session') || '{}');
  const r = JSON.parse(sessionStorage.getItem('caseload-ide:refresh') || '{}');
  const key = Object.keys(sessionStorage).find(k => k.endsWith('tabState'));
  const tabs = key ? JSON.parse(sessionStorage.getItem(key)).tabs : [];
  const bearer = (t) => { try { return (JSON.parse(t.headers || '{}').Authorization || '').replace(/^Bearer /, ''); } catch (e) { return ''; } };
  const active = tabs.map(bearer).find(b => s.tokenTail && b.endsWith(s.tokenTail)) || '';
  const all = Object.keys(localStorage).map(k => localStorage.getItem(k)).join('\n');
  return JSON.stringify({tokenTail: s.tokenTail || '', expiresAt: s.expiresAt, refresh: r.token || '', token: active,
    tabs: tabs.length, tabsWithToken: tabs.filter(t => active && bearer(t) === active).length, localStorage: all});
})()`)
	var s ideSession
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		b.t.Fatalf("session record: %v", err)
	}
	return s
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}
