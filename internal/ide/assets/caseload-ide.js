/*
 * Caseload API explorer: GraphiQL with a sign-in bar and example operations.
 *
 * Loaded after the UMD builds of React, ReactDOM and GraphiQL, which define
 * the globals React, ReactDOM and GraphiQL. The page's data-config holds the
 * GraphQL endpoint, the example tabs, the query of a new tab and the
 * license links.
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
  var LOGIN =
    'mutation($email:String!,$password:String!){ login(email:$email,password:$password){ token expiresAt user { email role } } }';

  // GraphiQL's fetcher sends the headers of the active tab's Headers editor.
  var fetcher = GraphiQL.createFetcher({ url: endpoint, enableIncrementalDelivery: false });

  var defaultTabs = config.tabs.map(function (tab) {
    return { query: tab.query, variables: tab.variables || null };
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

  // --- Sign-in -------------------------------------------------------------

  function login(email, password) {
    return fetch(endpoint, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ query: LOGIN, variables: { email: email, password: password } }),
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
            throw new Error(body.errors[0].message || 'Sign-in failed.');
          }
          var payload = body && body.data && body.data.login;
          if (!payload || !payload.token) {
            throw new Error('Sign-in failed: HTTP ' + res.status + ' without a token.');
          }
          return payload;
        });
      },
      function (err) {
        throw new Error('Could not reach ' + endpoint + ': ' + err.message);
      }
    );
  }

  // The session record shows who signed in; the token itself lives only in
  // GraphiQL's headers. tokenTail ties the record to that token.
  function loadSession() {
    try {
      var s = JSON.parse(localStorage.getItem(SESSION_KEY) || 'null');
      return s && typeof s.tokenTail === 'string' ? s : null;
    } catch (e) {
      return null;
    }
  }

  function saveSession(s) {
    try {
      if (s) {
        localStorage.setItem(SESSION_KEY, JSON.stringify(s));
      } else {
        localStorage.removeItem(SESSION_KEY);
      }
    } catch (e) {
      // Storage may be disabled; the bar then forgets who signed in on reload.
    }
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
    var [refetch, setRefetch] = React.useState(0);

    var bearer = bearerOf(headers);
    var mine = Boolean(session && bearer && bearer.slice(-session.tokenTail.length) === session.tokenTail);

    // An error is about the last attempt; drop it once the token changes.
    React.useEffect(
      function () {
        setError(null);
      },
      [bearer]
    );

    var onHeaders = React.useCallback(function (text) {
      setHeaders(text);
    }, []);

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
            var token = payload.token;
            var s = {
              email: payload.user.email,
              role: payload.user.role,
              expiresAt: payload.expiresAt,
              tokenTail: token.slice(-16),
            };
            saveSession(s);
            setSession(s);
            setPassword('');
            updateAllTabs(ctxRef.current || ctx, function (text) {
              return withAuthorization(text, token);
            });
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

    function signOut() {
      saveSession(null);
      setSession(null);
      setError(null);
      if (ctxRef.current) {
        updateAllTabs(ctxRef.current, withoutAuthorization);
      }
    }

    var status;
    if (error) {
      status = h('span', { className: 'caseload-status caseload-error' }, error);
    } else if (mine) {
      var expired = new Date(session.expiresAt).getTime() <= Date.now();
      status = h(
        'span',
        { className: expired ? 'caseload-status caseload-error' : 'caseload-status' },
        'Signed in as ' +
          session.email +
          ' (' +
          session.role +
          '), token ' +
          (expired ? 'expired at ' + formatTime(session.expiresAt) + ': sign in again' : 'expires at ' + formatTime(session.expiresAt))
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
        shouldPersistHeaders: true,
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
