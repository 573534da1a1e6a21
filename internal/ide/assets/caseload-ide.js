/*
 * Caseload API explorer: GraphiQL with a sign-in bar and example operations.
 *
 * Loaded after the UMD builds of React, ReactDOM and GraphiQL, which define
 * the globals React, ReactDOM and GraphiQL. The page's data-config holds the
 * GraphQL endpoint, the example tabs, the query of a new tab and the
 * license links.
 *
 * Sign-in keeps the access token in the Authorization header of every tab
 * and the refresh token in sessionStorage (never localStorage, never logged);
 * the token is renewed with the refreshToken mutation shortly before it
 * expires, and sign-out calls logout. GraphiQL's own state (tabs with their
 * headers, history) is kept in sessionStorage too, never in localStorage: a
 * token lives no longer than the browser tab (issue 16, finding 16).
 */
(function () {
  'use strict';

  // GraphiQL's dialogs insert <style> elements; the page's Content-Security-
  // Policy admits them only with the nonce this script tag carries, and
  // GraphiQL's bundle reads it from __webpack_nonce__.
  var script = document.currentScript;
  if (script && script.nonce) {
    window.__webpack_nonce__ = script.nonce;
  }

  var mount = document.getElementById('caseload-ide');
  var config = JSON.parse(mount.getAttribute('data-config'));
  var endpoint = config.endpoint;
  var h = React.createElement;

  var SESSION_KEY = 'caseload-ide:session';
  // The refresh token lives in sessionStorage only: it is gone when the
  // browser tab closes, and other windows of the IDE never see it.
  var REFRESH_KEY = 'caseload-ide:refresh';
  var SESSION_FIELDS =
    'token expiresAt refreshToken refreshTokenExpiresAt user { email role } userErrors { field message code }';
  var LOGIN = 'mutation($input:LoginInput!){ login(input:$input){ ' + SESSION_FIELDS + ' } }';
  var REFRESH = 'mutation($input:RefreshTokenInput!){ refreshToken(input:$input){ ' + SESSION_FIELDS + ' } }';
  var LOGOUT = 'mutation { logout(input:{}) { endedSessions userErrors { field message code } } }';
  var SESSION_ENDED = 'Session ended: sign in again.';

  // GraphiQL keeps its state (tabs and their headers, the Authorization
  // header included, and its history, which holds headers too) in the
  // storage given: this one is the tab's sessionStorage, so that no token
  // outlives the browser tab. Only GraphiQL's keys are counted and cleared.
  // Without sessionStorage (disabled) GraphiQL keeps nothing (null).
  var PREFIX = 'graphiql:';
  var graphiqlStorage = (function () {
    var area;
    try {
      area = window.sessionStorage;
      area.getItem(PREFIX + 'probe');
    } catch (e) {
      return null;
    }
    var keys = function () {
      var out = [];
      for (var i = 0; i < area.length; i++) {
        var k = area.key(i);
        if (k && k.indexOf(PREFIX) === 0) {
          out.push(k);
        }
      }
      return out;
    };
    return {
      getItem: function (k) {
        return area.getItem(k);
      },
      setItem: function (k, v) {
        area.setItem(k, v);
      },
      removeItem: function (k) {
        area.removeItem(k);
      },
      get length() {
        return keys().length;
      },
      clear: function () {
        keys().forEach(function (k) {
          area.removeItem(k);
        });
      },
    };
  })();

  // Earlier versions kept GraphiQL's tabs (with the Authorization header)
  // and the session record in localStorage: remove them.
  try {
    Object.keys(window.localStorage).forEach(function (k) {
      if (k.indexOf(PREFIX) === 0 || k.indexOf('caseload-ide:') === 0) {
        window.localStorage.removeItem(k);
      }
    });
  } catch (e) {
    // Storage disabled: nothing was kept.
  }

  // GraphiQL's fetcher sends the headers of the active tab's Headers editor.
  var fetcher = GraphiQL.createFetcher({ url: endpoint, enableIncrementalDelivery: false });

  // isoDate is the browser's calendar date of d as YYYY-MM-DD.
  function isoDate(d) {
    var pad = function (n) {
      return (n < 10 ? '0' : '') + n;
    };
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate());
  }

  // lastYear is the range of a metrics tab: the day a year ago to today, in
  // the browser's time zone, computed when the tab is created so that it
  // never goes stale.
  function lastYear() {
    var today = new Date();
    var from = new Date(today.getTime());
    from.setFullYear(today.getFullYear() - 1);
    return JSON.stringify({ from: isoDate(from), to: isoDate(today) }, null, 2);
  }

  var defaultTabs = config.tabs.map(function (tab) {
    return { query: tab.query, variables: tab.lastYear ? lastYear() : tab.variables || null };
  });

  // --- Headers editor text <-> Authorization ------------------------------

  // parseHeaders returns the headers object, {} for an empty editor, or null
  // when the text is not a JSON object.
  function parseHeaders(text) {
    if (!text || !text.trim()) {
      return {};
    }
    try {
      var value = JSON.parse(text);
      return value && typeof value === 'object' && !Array.isArray(value) ? value : null;
    } catch (e) {
      return null;
    }
  }

  function isAuthorization(name) {
    return name.toLowerCase() === 'authorization';
  }

  // withAuthorization sets the bearer token, keeping any other headers.
  function withAuthorization(text, token) {
    var old = parseHeaders(text) || {};
    var next = { Authorization: 'Bearer ' + token };
    Object.keys(old).forEach(function (name) {
      if (!isAuthorization(name)) {
        next[name] = old[name];
      }
    });
    return JSON.stringify(next, null, 2);
  }

  // withoutAuthorization drops the Authorization header, keeping the others.
  function withoutAuthorization(text) {
    var old = parseHeaders(text);
    if (!old) {
      return text;
    }
    var next = {};
    var dropped = false;
    Object.keys(old).forEach(function (name) {
      if (isAuthorization(name)) {
        dropped = true;
      } else {
        next[name] = old[name];
      }
    });
    if (!dropped) {
      return text;
    }
    return Object.keys(next).length ? JSON.stringify(next, null, 2) : '';
  }

  // bearerOf returns the bearer token in the headers text, or null.
  function bearerOf(text) {
    var headers = parseHeaders(text);
    if (!headers) {
      return null;
    }
    var names = Object.keys(headers);
    for (var i = 0; i < names.length; i++) {
      var value = headers[names[i]];
      if (isAuthorization(names[i]) && typeof value === 'string') {
        var m = /^\s*Bearer\s+(\S+)\s*$/i.exec(value);
        return m ? m[1] : null;
      }
    }
    return null;
  }

  // updateAllTabs rewrites the headers of every GraphiQL tab with fn and
  // shows the result in the editors. GraphiQL has no API for the headers of
  // inactive tabs; its moveTab(tabs) stores a new tab list (keeping the
  // active tab by identity), persists it and reloads the editors, so the
  // tabs are updated in place and handed back in the same order.
  function updateAllTabs(ctx, fn) {
    var tabs = ctx.tabs;
    var active = Array.isArray(tabs) ? tabs[ctx.activeTabIndex] : null;
    if (typeof ctx.moveTab === 'function' && active) {
      // Bring the active tab up to date with its editors first.
      if (ctx.queryEditor) active.query = ctx.queryEditor.getValue();
      if (ctx.variableEditor) active.variables = ctx.variableEditor.getValue();
      if (ctx.headerEditor) active.headers = ctx.headerEditor.getValue();
      tabs.forEach(function (tab) {
        tab.headers = fn(tab.headers || '');
      });
      ctx.moveTab(tabs.slice());
    } else if (ctx.headerEditor) {
      ctx.headerEditor.setValue(fn(ctx.headerEditor.getValue()));
    }
  }

  // --- Sign-in and renewal --------------------------------------------------

  // call posts a mutation and returns data[field], its payload. token is
  // sent as the bearer when given. A GraphQL error, or a userError of the
  // payload, rejects with gqlError set and code (extensions.code, or the
  // userError's code), so that callers can tell a refusal from an
  // unreachable server.
  function call(query, variables, field, token) {
    var headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (token) {
      headers.Authorization = 'Bearer ' + token;
    }
    return fetch(endpoint, {
      method: 'POST',
      credentials: 'same-origin',
      headers: headers,
      body: JSON.stringify({ query: query, variables: variables }),
    }).then(
      function (res) {
        return res.text().then(function (text) {
          var body;
          try {
            body = JSON.parse(text);
          } catch (e) {
            throw new Error('The server answered HTTP ' + res.status + (text ? ': ' + text.slice(0, 200) : ''));
          }
          if (body && Array.isArray(body.errors) && body.errors.length > 0) {
            var err = new Error(body.errors[0].message || 'The server refused ' + field + '.');
            err.gqlError = true;
            err.code = (body.errors[0].extensions && body.errors[0].extensions.code) || '';
            throw err;
          }
          var value = body && body.data ? body.data[field] : undefined;
          if (value === undefined || value === null) {
            throw new Error(field + ' failed: HTTP ' + res.status + ' without an answer.');
          }
          if (Array.isArray(value.userErrors) && value.userErrors.length > 0) {
            var refused = new Error(value.userErrors[0].message || 'The server refused ' + field + '.');
            refused.gqlError = true;
            refused.code = value.userErrors[0].code || '';
            throw refused;
          }
          return value;
        });
      },
      function (err) {
        throw new Error('Could not reach ' + endpoint + ': ' + err.message);
      }
    );
  }

  function login(email, password) {
    return call(LOGIN, { input: { email: email, password: password } }, 'login');
  }

  // renew exchanges the refresh token for a new pair; it sends no access
  // token, as the server refuses an expired one before renewing.
  function renew(refreshToken) {
    return call(REFRESH, { input: { refreshToken: refreshToken } }, 'refreshToken');
  }

  function logout(token) {
    return call(LOGOUT, {}, 'logout', token);
  }

  // The session record (sessionStorage) shows who signed in; the access
  // token itself lives only in GraphiQL's headers. tokenTail ties the record to that token;
  // renewAt is when to renew it (browser clock, ms).
  function loadSession() {
    try {
      var s = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
      return s && typeof s.tokenTail === 'string' ? s : null;
    } catch (e) {
      return null;
    }
  }

  // store keeps value as JSON under key in window[area] ('localStorage' or
  // 'sessionStorage'), or removes the key when value is null. Storage may be
  // disabled (reading window[area] throws then): the bar then forgets who
  // signed in on reload, and the session lapses with its access token.
  function store(area, key, value) {
    try {
      if (value) {
        window[area].setItem(key, JSON.stringify(value));
      } else {
        window[area].removeItem(key);
      }
    } catch (e) {
      // See above.
    }
  }

  function saveSession(s) {
    store('sessionStorage', SESSION_KEY, s);
  }

  // loadRefresh returns the refresh token stored for the access token whose
  // tail is tokenTail, or null.
  function loadRefresh(tokenTail) {
    try {
      var r = JSON.parse(sessionStorage.getItem(REFRESH_KEY) || 'null');
      if (r && r.forTail === tokenTail && typeof r.token === 'string' && new Date(r.expiresAt).getTime() > Date.now()) {
        return r.token;
      }
    } catch (e) {
      // Fall through: without storage there is no renewal.
    }
    return null;
  }

  function saveRefresh(r) {
    store('sessionStorage', REFRESH_KEY, r);
  }

  // remember stores a login or refreshToken payload and returns the session
  // record. It renews a fifth of the token's lifetime before it expires (a
  // minute at most, so at 14 of 15 minutes), and never sooner than in 5 s.
  function remember(payload) {
    var now = Date.now();
    var lifetime = new Date(payload.expiresAt).getTime() - now;
    var s = {
      email: payload.user.email,
      role: payload.user.role,
      expiresAt: payload.expiresAt,
      tokenTail: payload.token.slice(-16),
      renewAt: now + Math.max(5000, lifetime - Math.min(60000, lifetime / 5)),
    };
    saveRefresh({ token: payload.refreshToken, expiresAt: payload.refreshTokenExpiresAt, forTail: s.tokenTail });
    saveSession(s);
    return s;
  }

  function forget() {
    saveRefresh(null);
    saveSession(null);
  }

  function formatTime(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) {
      return String(iso);
    }
    try {
      return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    } catch (e) {
      return d.toLocaleString();
    }
  }

  // --- Components ----------------------------------------------------------

  // Bridge is rendered inside GraphiQL to reach its editor context: it hands
  // the context to the sign-in bar, reports the active tab's headers, and
  // re-fetches the schema after a sign-in.
  function Bridge(props) {
    var ctx = GraphiQL.React.useEditorContext({ nonNull: true });
    var introspect = GraphiQL.React.useSchemaStore(function (s) {
      return s.introspect;
    });
    var ctxRef = props.ctxRef;
    var onHeaders = props.onHeaders;
    var refetch = props.refetch;
    var editor = ctx.headerEditor;

    React.useEffect(function () {
      ctxRef.current = ctx;
    });

    React.useEffect(
      function () {
        if (!editor) {
          return undefined;
        }
        var report = function () {
          onHeaders(editor.getValue());
        };
        report();
        editor.on('change', report);
        return function () {
          editor.off('change', report);
        };
      },
      [editor, onHeaders]
    );

    // GraphiQL's first schema fetch runs before its schema store knows the
    // Headers editor, so without a stored token; fetch again once it does.
    var schemaHeaderEditor = GraphiQL.React.useSchemaStore(function (s) {
      return s.headerEditor;
    });
    var startedWith = React.useRef(null);
    React.useEffect(
      function () {
        if (schemaHeaderEditor && startedWith.current === null) {
          startedWith.current = schemaHeaderEditor;
          if (bearerOf(schemaHeaderEditor.getValue()) && typeof introspect === 'function') {
            introspect();
          }
        }
      },
      [schemaHeaderEditor, introspect]
    );

    React.useEffect(
      function () {
        if (refetch > 0 && typeof introspect === 'function') {
          introspect();
        }
      },
      [refetch, introspect]
    );

    return null;
  }

  function App() {
    var ctxRef = React.useRef(null);
    var [session, setSession] = React.useState(loadSession);
    var [headers, setHeaders] = React.useState('');
    var [email, setEmail] = React.useState(session ? session.email : '');
    var [password, setPassword] = React.useState('');
    var [busy, setBusy] = React.useState(false);
    var [error, setError] = React.useState(null);
    var [ended, setEnded] = React.useState(false);
    var [refetch, setRefetch] = React.useState(0);

    var bearer = bearerOf(headers);
    var mine = Boolean(session && bearer && bearer.slice(-session.tokenTail.length) === session.tokenTail);

    // An error is about the last attempt; drop it once the token changes.
    React.useEffect(
      function () {
        setError(null);
        setEnded(false);
      },
      [bearer]
    );

    var onHeaders = React.useCallback(function (text) {
      setHeaders(text);
    }, []);

    // adopt keeps a new session and puts its access token in every tab.
    function adopt(payload, ctx) {
      setSession(remember(payload));
      setEnded(false);
      updateAllTabs(ctx, function (text) {
        return withAuthorization(text, payload.token);
      });
    }

    // Renew the access token shortly before it expires (at once when the
    // page opens after that), as long as the tabs use the token this window
    // signed in with and its refresh token is kept.
    var tail = mine ? session.tokenTail : null;
    var renewAt = mine ? session.renewAt : null;
    React.useEffect(
      function () {
        if (!tail || !loadRefresh(tail)) {
          return undefined;
        }
        var cancelled = false;
        var timer = null;
        var current = function () {
          var s = loadSession();
          return Boolean(s && s.tokenTail === tail);
        };
        var end = function () {
          forget();
          setSession(null);
          setEnded(true);
        };
        var attempt = function () {
          timer = null;
          if (cancelled) {
            return;
          }
          var refresh = loadRefresh(tail);
          if (!refresh) {
            end();
            return;
          }
          if (!ctxRef.current) {
            timer = setTimeout(attempt, 250);
            return;
          }
          renew(refresh).then(
            function (payload) {
              // A sign-out or sign-in meanwhile wins over this renewal.
              if (current()) {
                adopt(payload, ctxRef.current);
              }
            },
            function (err) {
              if (!current()) {
                return;
              }
              if (err.code === 'UNAUTHENTICATED') {
                end();
              } else if (!cancelled) {
                // Unreachable or failing: retry. Had the server used the
                // refresh token, the retry is refused and the session ends.
                timer = setTimeout(attempt, 10000);
              }
            }
          );
        };
        timer = setTimeout(attempt, Math.max(0, (renewAt || 0) - Date.now()));
        return function () {
          cancelled = true;
          if (timer !== null) {
            clearTimeout(timer);
          }
        };
      },
      [tail, renewAt]
    );

    function signIn(ev) {
      ev.preventDefault();
      var ctx = ctxRef.current;
      if (!ctx) {
        setError('GraphiQL is still loading; try again in a moment.');
        return;
      }
      setBusy(true);
      setError(null);
      login(email.trim(), password)
        .then(
          function (payload) {
            setPassword('');
            adopt(payload, ctxRef.current || ctx);
            setRefetch(function (n) {
              return n + 1;
            });
          },
          function (err) {
            setError(err.message);
          }
        )
        .finally(function () {
          setBusy(false);
        });
    }

    // signOut ends the session on the server too, so that neither the
    // access token in the headers nor the refresh token works any more.
    function signOut() {
      var token = bearer;
      var live = !ended;
      forget();
      setSession(null);
      setError(null);
      setEnded(false);
      if (ctxRef.current) {
        updateAllTabs(ctxRef.current, withoutAuthorization);
      }
      if (token && live) {
        logout(token).catch(function (err) {
          // A refusal means the token no longer works: nothing is left to end.
          if (!err.gqlError) {
            setError('Signed out here, but the server was not told: ' + err.message);
          }
        });
      }
    }

    var status;
    if (error) {
      status = h('span', { className: 'caseload-status caseload-error' }, error);
    } else if (ended) {
      status = h('span', { className: 'caseload-status caseload-error' }, SESSION_ENDED);
    } else if (mine) {
      var expired = new Date(session.expiresAt).getTime() <= Date.now();
      var renewing = Boolean(loadRefresh(session.tokenTail));
      status = h(
        'span',
        { className: expired && !renewing ? 'caseload-status caseload-error' : 'caseload-status' },
        'Signed in as ' +
          session.email +
          ' (' +
          session.role +
          '), token ' +
          (expired ? 'expired at ' : 'expires at ') +
          formatTime(session.expiresAt) +
          (renewing ? (expired ? ': renewing\u2026' : ', renewed automatically') : expired ? ': sign in again' : '')
      );
    } else if (bearer) {
      status = h('span', { className: 'caseload-status' }, 'Using the token in the Headers editor.');
    } else {
      status = h(
        'span',
        { className: 'caseload-hint' },
        'Not signed in: sign in here, or set {"Authorization": "Bearer <token>"} under Headers.'
      );
    }

    var licenses = (config.licenses || []).map(function (l, i) {
      return h(
        React.Fragment,
        { key: l.url },
        i > 0 ? ' \u00b7 ' : null,
        h('a', { href: l.url, target: '_blank', rel: 'noopener noreferrer' }, l.name)
      );
    });

    var bar = h(
      'div',
      { className: 'caseload-bar', role: 'region', 'aria-label': 'Sign in' },
      h('span', { className: 'caseload-bar-title' }, 'Caseload API'),
      h(
        'form',
        { onSubmit: signIn, method: 'post', action: '#', 'aria-label': 'Sign in' },
        h('input', {
          type: 'email',
          name: 'email',
          placeholder: 'Email',
          'aria-label': 'Email',
          autoComplete: 'username',
          required: true,
          value: email,
          onChange: function (ev) {
            setEmail(ev.target.value);
          },
        }),
        h('input', {
          type: 'password',
          name: 'password',
          placeholder: 'Password',
          'aria-label': 'Password',
          autoComplete: 'current-password',
          required: true,
          value: password,
          onChange: function (ev) {
            setPassword(ev.target.value);
          },
        }),
        h('button', { type: 'submit', disabled: busy }, busy ? 'Signing in\u2026' : 'Sign in')
      ),
      bearer
        ? h('button', { type: 'button', className: 'caseload-secondary', onClick: signOut }, 'Sign out')
        : null,
      h('span', { role: 'status', 'aria-live': 'polite' }, status),
      licenses.length ? h('span', { className: 'caseload-licenses' }, 'MIT licenses: ', licenses) : null
    );

    var graphiql = h(
      GraphiQL,
      {
        fetcher: fetcher,
        defaultTabs: defaultTabs,
        defaultQuery: config.newTabQuery || undefined,
        // The headers are kept, with the tabs, in sessionStorage only
        // (graphiqlStorage): a reload of the browser tab keeps the
        // session, closing the tab ends what the browser holds of it.
        storage: graphiqlStorage,
        shouldPersistHeaders: graphiqlStorage !== null,
        // A new tab starts with the token of the tab it was opened from.
        defaultHeaders: bearer ? JSON.stringify({ Authorization: 'Bearer ' + bearer }, null, 2) : undefined,
        defaultEditorToolsVisibility: true,
      },
      h(Bridge, { ctxRef: ctxRef, onHeaders: onHeaders, refetch: refetch })
    );

    return h('div', { className: 'caseload-ide' }, bar, h('div', { className: 'caseload-graphiql' }, graphiql));
  }

  ReactDOM.createRoot(mount).render(h(App));
})();
