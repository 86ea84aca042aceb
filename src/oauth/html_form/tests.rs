//! Tests for `html_form`, on pages shaped like those real providers serve.

use super::*;

fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const IDENTITY_SERVER: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
    <meta charset="utf-8" />
    <title>IdentityServer4</title>
    <link rel="stylesheet" href="/lib/bootstrap/css/bootstrap.css" />
</head>
<body>
<div class="login-page">
    <div class="lead"><h1>Login</h1><p>Choose how to login</p></div>
    <div class="card-body">
        <form asp-route="Login" method="post" action="/Account/Login?ReturnUrl=%2Fconnect%2Fauthorize%2Fcallback%3Fclient_id%3Dinteractive">
            <input type="hidden" id="ReturnUrl" name="ReturnUrl" value="/connect/authorize/callback?client_id=interactive&amp;redirect_uri=https%3A%2F%2Flocalhost%3A5002%2Fsignin-oidc&amp;response_type=code&amp;scope=openid%20profile" />
            <div class="form-group">
                <label for="Username">Username</label>
                <input class="form-control" placeholder="Username" autofocus type="text" id="Username" name="Username" value="">
            </div>
            <div class="form-group">
                <label for="Password">Password</label>
                <input type="password" class="form-control" placeholder="Password" autocomplete="off" id="Password" name="Password">
            </div>
            <div class="form-check">
                <input class="form-check-input" type="checkbox" data-val="true" id="RememberLogin" name="RememberLogin" value="true">
                <label class="form-check-label" for="RememberLogin">Remember My Login</label>
            </div>
            <button class="btn btn-primary" name="button" value="login">Login</button>
            <button class="btn btn-secondary" name="button" value="cancel">Cancel</button>
        <input name="__RequestVerificationToken" type="hidden" value="CfDJ8Nq-x_Y9aB" /><input name="RememberLogin" type="hidden" value="false" /></form>
    </div>
</div>
<script src="/lib/jquery/dist/jquery.slim.min.js"></script>
</body>
</html>"#;

#[test]
fn identity_server_login() {
    let page = "https://localhost:5001/Account/Login?ReturnUrl=%2Fconnect";
    let found = forms(IDENTITY_SERVER, page);
    assert_eq!(found.len(), 1);
    let form = &found[0];
    assert_eq!(
        form.action,
        "https://localhost:5001/Account/Login?ReturnUrl=%2Fconnect%2Fauthorize%2Fcallback%3Fclient_id%3Dinteractive"
    );
    assert_eq!(form.method, "POST");
    let return_url = "/connect/authorize/callback?client_id=interactive&redirect_uri=https%3A%2F%2Flocalhost%3A5002%2Fsignin-oidc&response_type=code&scope=openid%20profile";
    assert_eq!(
        form.fields,
        pairs(&[
            ("ReturnUrl", return_url),
            ("Username", ""),
            ("Password", ""),
            ("__RequestVerificationToken", "CfDJ8Nq-x_Y9aB"),
            ("RememberLogin", "false"),
        ])
    );
    assert_eq!(form.password_fields, ["Password"]);
    assert_eq!(form.text_fields, ["Username"]);
    // Login, not the Cancel beside it; its field in document order.
    let sent = form.submission(None).unwrap();
    assert_eq!(sent.button.as_deref(), Some("Login"));
    assert_eq!(sent.fields[3], ("button".into(), "login".into()));
    assert_eq!(sent.fields.len(), 6);
    let mut form = form.clone();
    form.fill(&pairs(&[("Username", "alice"), ("Password", "wonderland")]));
    assert_eq!(form.fields[1], ("Username".into(), "alice".into()));
    assert_eq!(form.fields[2], ("Password".into(), "wonderland".into()));
    assert_eq!(form.fields.len(), 5);
}

const KEYCLOAK: &str = r#"<!DOCTYPE html>
<html class="login-pf">
<head>
    <meta charset="utf-8">
    <title>Sign in to test</title>
    <script type="importmap">{"imports": {"rfc4648": "/resources/x/common/keycloak/vendor/rfc4648/rfc4648.js"}}</script>
    <script type="module">
        const decoy = "<form action='/evil' method='post'><input type='password' name='p'></form>";
    </script>
</head>
<body class="">
<div class="login-pf-page">
  <div class="card-pf">
    <header class="login-pf-header"><h1 id="kc-page-title">Sign in to your account</h1></header>
    <div id="kc-form-wrapper">
      <form id="kc-form-login" onsubmit="login.disabled = true; return true;" action="http://localhost:8080/realms/test/login-actions/authenticate?session_code=Xz9k&amp;execution=8f3a-11&amp;client_id=baton&amp;tab_id=Qw1" method="post">
        <div class="form-group">
          <label for="username" class="pf-c-form__label">Username or email</label>
          <input tabindex="1" id="username" class="pf-c-form-control" name="username" value="" type="text" autofocus autocomplete="off" aria-invalid="" />
        </div>
        <div class="form-group">
          <label for="password" class="pf-c-form__label">Password</label>
          <input tabindex="2" id="password" class="pf-c-form-control" name="password" type="password" autocomplete="off" aria-invalid="" />
        </div>
        <div id="kc-form-options"><div class="checkbox">
          <label><input tabindex="3" id="rememberMe" name="rememberMe" type="checkbox"> Remember me</label>
        </div></div>
        <div id="kc-form-buttons" class="form-group">
          <input type="hidden" id="id-hidden-input" name="credentialId"/>
          <input tabindex="4" class="pf-c-button pf-m-primary" name="login" id="kc-login" type="submit" value="Sign In"/>
        </div>
      </form>
    </div>
  </div>
</div>
</body>
</html>"#;

#[test]
fn keycloak_login() {
    let page = "http://localhost:8080/realms/test/protocol/openid-connect/auth?client_id=baton";
    let found = forms(KEYCLOAK, page);
    assert_eq!(found.len(), 1, "the form inside <script> is not a form");
    let form = &found[0];
    assert_eq!(form.id.as_deref(), Some("kc-form-login"));
    assert_eq!(
        form.action,
        "http://localhost:8080/realms/test/login-actions/authenticate?session_code=Xz9k&execution=8f3a-11&client_id=baton&tab_id=Qw1"
    );
    assert_eq!(
        form.fields,
        pairs(&[("username", ""), ("password", ""), ("credentialId", ""),])
    );
    let sent = form.submission(None).unwrap();
    assert_eq!(
        sent.fields.last(),
        Some(&("login".into(), "Sign In".into()))
    );
    assert!(form.has_password());
    assert_eq!(pick(&found, &["username"]), Some(form));
}

fn dev_interaction(prompt: &str, inputs: &str, button: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html >
<head>
<meta charset="utf-8">
<title>{button}</title>
<style>
  .login-card input[type=submit] {{ width: 100%; }}
  /* <form action="/not-a-form"> */
</style>
</head>
<body>
<div class="login-card">
  <h1>{button}</h1>
  <form autocomplete="off" action="http://localhost:3000/interaction/Vj3xQ-7" method="post">
    <input type="hidden" name="prompt" value="{prompt}"/>
    {inputs}
    <button autofocus type="submit" class="login login-submit">{button}</button>
  </form>
  <div class="login-help">
    <a href="http://localhost:3000/interaction/Vj3xQ-7/abort">[ Cancel ]</a>
  </div>
</div>
</body>
</html>"#
    )
}

#[test]
fn oidc_provider_dev_interactions() {
    let page = "http://localhost:3000/interaction/Vj3xQ-7";
    let login = dev_interaction(
        "login",
        r#"<input required type="text" name="login" placeholder="Enter any login" autofocus="on">
    <input required type="password" name="password" placeholder="and password">"#,
        "Sign-in",
    );
    let found = forms(&login, page);
    assert_eq!(found.len(), 1);
    let mut form = pick(&found, &["login"]).unwrap().clone();
    assert_eq!(form.action, page);
    assert_eq!(
        form.fields,
        pairs(&[("prompt", "login"), ("login", ""), ("password", "")])
    );
    form.fill(&pairs(&[("login", "alice"), ("password", "x")]));
    assert_eq!(
        form.fields,
        pairs(&[("prompt", "login"), ("login", "alice"), ("password", "x")])
    );

    let consent = dev_interaction(
        "consent",
        "<ul><li><strong>baton</strong> asks for <em>openid</em> and <em>email</em></li></ul>",
        "Continue",
    );
    let found = forms(&consent, page);
    let form = pick(&found, &["login", "username"]).expect("the only form");
    assert_eq!((form.method.as_str(), form.action.as_str()), ("POST", page));
    assert_eq!(form.fields, pairs(&[("prompt", "consent")]));
    assert!(!form.has_password());
}

const TWO_FORMS: &str = r#"<HTML><HEAD><BASE HREF="/app/"></HEAD><BODY>
<FORM id=lang ACTION="?" Method=get><select name=lang onchange="this.form.submit()">
  <option value=en>English<option value=de selected>Deutsch<option>  Fran&ccedil;ais  </option>
</select><noscript><button>Go</button></noscript></FORM>
<!-- <form action="/old-login" method="post"><input type="password" name="old"></form> -->
<form class='login' method=POST action=login?next=%2F&amp;x=1><input value='a&#39;b&quot;c&#x2F;d' name='email' type=email><input type='password' name='pw'>
<textarea name=note>
line1 &lt;b&gt; <i>not a tag</i></textarea><input type=radio name=mode value=fast><input type=radio name=mode value=safe checked>
<input type=checkbox name=terms checked><input name=off disabled value=x><input type=file name=avatar><input type=reset name=r>
<select name=tags multiple><option selected>a</option><option>b</option><option selected value="c!">c</option></select>
<input type=submit value=Go><input type=submit name=second value=No></form>
</BODY></HTML>"#;

#[test]
fn a_language_picker_and_a_login() {
    let found = forms(TWO_FORMS, "https://auth.example.test/start?x=1");
    assert_eq!(found.len(), 2, "the commented-out form is not a form");
    let (lang, login) = (&found[0], &found[1]);
    assert_eq!(lang.action, "https://auth.example.test/app/?");
    assert_eq!(lang.method, "GET");
    assert_eq!(lang.fields, pairs(&[("lang", "de")]));
    assert_eq!(
        login.action,
        "https://auth.example.test/app/login?next=%2F&x=1"
    );
    assert_eq!(login.method, "POST");
    assert_eq!(
        login.fields,
        pairs(&[
            ("email", "a'b\"c/d"),
            ("pw", ""),
            ("note", "line1 <b> <i>not a tag</i>"),
            ("mode", "safe"),
            ("terms", "on"),
            ("tags", "a"),
            ("tags", "c!"),
        ])
    );
    assert_eq!(pick(&found, &[]), Some(login));
    // An option's text is its value, whitespace collapsed; no `selected` picks the first.
    let picker = forms(
        "<form><select name=l><option>  Fran&ccedil;ais \n x</option><option>b</select></form>",
        "https://a.test/",
    );
    assert_eq!(picker[0].fields, pairs(&[("l", "Français x")]));
}

#[test]
fn a_page_without_forms() {
    let html = r#"<html><body><p>Loading&hellip;</p>
<script>document.write('<form action="/x"><input type="password" name="p"></form>')</script>
</body></html>"#;
    let found = forms(html, "https://a.test/");
    assert!(found.is_empty());
    assert_eq!(pick(&found, &["login"]), None);
}

#[test]
fn actions_methods_and_owners() {
    let page = "https://id.test/login?step=2#top";
    let html = r#"
<form id=a><input name=q value=1></form>
<form id=b action="" method="dialog"><input name=r></form>
<form id=c action="//other.test/p" method=" PoSt "><form action=/nested><input name=inner></form>
<input name=outside form=c><input name=nowhere form=zzz>
<form id=d action="/submit"><button type=button name=b1>x</button><button name=go value=1 formaction="/alt" formmethod=post>go</button><input type=image name=map></form>
<form id=e><input type=submit disabled name=off><input type=image name=map></form>"#;
    let found = forms(html, page);
    let ids: Vec<_> = found
        .iter()
        .map(|f| f.id.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    assert_eq!(found[0].action, page, "no action: the page URL");
    assert_eq!(found[1].action, page, "empty action: the page URL");
    assert_eq!(found[1].method, "GET");
    assert_eq!(found[2].action, "https://other.test/p");
    assert_eq!(found[2].method, "POST");
    assert_eq!(found[2].fields, pairs(&[("inner", ""), ("outside", "")]));
    assert_eq!(found[3].action, "https://id.test/submit");
    assert_eq!(found[3].method, "GET");
    assert_eq!(found[3].fields, pairs(&[]));
    let sent = found[3].submission(None).unwrap();
    assert_eq!(
        (sent.action.as_str(), sent.method.as_str()),
        ("https://id.test/alt", "POST")
    );
    assert_eq!(sent.fields, pairs(&[("go", "1")]));
    let sent = found[4].submission(None).unwrap();
    assert_eq!(sent.fields, pairs(&[("map.x", "0"), ("map.y", "0")]));
    // A page URL that is not absolute leaves relative actions as they are.
    let odd = forms("<form action='next'></form><form></form>", "not a url");
    assert_eq!(
        (odd[0].action.as_str(), odd[1].action.as_str()),
        ("next", "not a url")
    );
}

#[test]
fn junk_is_not_a_panic() {
    let inputs = [
        "",
        "<",
        "<form",
        "<form action='",
        "<<<>>></form></select></option><option>",
        "<select name=s><option>a",
        "<form><textarea name=t>never closed",
        "<form><select name=s></select><input name=\u{0}\u{fffd}>",
        "<plaintext><form><input name=x></form>",
        "<form action=\"http://[::1\"><input type=password name=p>",
        "&#xFFFFFF;&#0;&amp",
    ];
    for html in inputs {
        let _ = pick(&forms(html, "https://a.test/"), &["x"]);
    }
    let unclosed = forms("<form><select name=s><option>a", "https://a.test/");
    assert_eq!(unclosed[0].fields, pairs(&[("s", "a")]));
}

/// The form a test looks at (the sign-in code chooses its own in `oauth::headless`): the first with a password field, else the first with a field whose
/// name contains one of `wanted` (ignoring case; e.g. `login`, `username`), else the only form.
fn pick<'a>(forms: &'a [Form], wanted: &[&str]) -> Option<&'a Form> {
    let named = |form: &&Form| {
        form.fields.iter().any(|(name, _)| {
            let name = name.to_ascii_lowercase();
            wanted
                .iter()
                .any(|w| !w.is_empty() && name.contains(&w.to_ascii_lowercase()))
        })
    };
    forms
        .iter()
        .find(|f| f.has_password())
        .or_else(|| forms.iter().find(named))
        .or(match forms {
            [only] => Some(only),
            _ => None,
        })
}
