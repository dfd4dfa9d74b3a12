"""A relying party built on Authlib against a running Schulhof: discovery, the code flow
with PKCE (public client) and with a client secret (confidential client, consent screen),
ID-token validation by Authlib's JOSE implementation against the published JWKS, userinfo,
refresh-token rotation, a replayed code, a wrong PKCE verifier, a tampered ID token,
revocation, prompt=none/login and max_age, CORS and the CSRF layer on the token endpoint,
and RP-initiated logout with central logout: the confidential client's back-channel logout
endpoint (a small HTTP server here) receives a logout token, validated by Authlib against the
JWKS, and the goodbye page frames its front-channel logout URI. Prints "OK <sub>" on
success; any failure raises.

With ES256_ID (a public client registered with id_token_signed_response_alg ES256), its ID
token must carry alg ES256 and verify against the JWKS's P-256 key.

Usage: authlib_rp.py BASE SCHOOL LOGIN PASSWORD PUBLIC_ID CONF_ID CONF_SECRET REDIRECT BCL_PORT [ES256_ID]
"""

import queue
import sys
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
with warnings.catch_warnings():
    # authlib.jose is deprecated in favour of joserfc but still Authlib's validator.
    warnings.simplefilter("ignore")
    from authlib.jose import JsonWebKey, jwt
    from authlib.jose.errors import BadSignatureError, DecodeError

BASE, SCHOOL, LOGIN, PASSWORD, PUBLIC_ID, CONF_ID, CONF_SECRET, REDIRECT, BCL_PORT = sys.argv[1:10]
ES256_ID = sys.argv[10] if len(sys.argv) > 10 else None
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKENS = queue.Queue()


class BackChannel(BaseHTTPRequestHandler):
    """The tool's back-channel logout endpoint: keeps each logout_token it is sent."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        LOGOUT_TOKENS.put((self.headers.get("Content-Type", ""), parse_qs(body)))
        self.send_response(200)
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def log_message(self, *args):
        pass


def start_backchannel():
    server = HTTPServer(("127.0.0.1", int(BCL_PORT)), BackChannel)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
# The confidential client is registered on another host: another sector, another subject.
CONF_REDIRECT = REDIRECT.replace("127.0.0.1", "localhost")


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def browser():
    """A logged-in browser session at the platform."""
    b = requests.Session()
    r = b.post(f"{BASE}/api/v1/session", json={"instance": SCHOOL, "login": LOGIN, "password": PASSWORD})
    check(r.status_code in (200, 201), f"login: {r.status_code} {r.text}")
    if r.json().get("required") == "consent_required":
        # The platform's own terms first (the demo school asks at the first login).
        r = b.post(f"{BASE}/api/v1/consent", json={"terms": True, "privacy": True})
        check(r.status_code == 204, f"platform terms: {r.status_code}")
    return b


def follow_to_tool(b, url):
    """Follows the platform's redirects (answering a consent screen) until the tool's."""
    for _ in range(5):
        r = b.get(url, allow_redirects=False)
        check(r.status_code in (302, 303), f"{url}: {r.status_code} {r.text[:300]}")
        loc = r.headers["location"]
        if loc.startswith(REDIRECT) or loc.startswith(CONF_REDIRECT):
            return loc
        if loc.startswith("/oidc/zustimmung"):
            page = b.get(BASE + loc)
            check(page.status_code == 200 and "<form" in page.text, f"consent page: {page.status_code}")
            weiter = parse_qs(urlparse(loc).query)["weiter"][0]
            r = b.post(f"{BASE}/oidc/zustimmung", data={"weiter": weiter, "antwort": "teilen"}, allow_redirects=False)
            check(r.status_code in (302, 303), f"consent answer: {r.status_code} {r.text[:300]}")
            url = BASE + r.headers["location"]
            continue
        url = loc if loc.startswith("http") else BASE + loc
    raise AssertionError("too many redirects")


def validate(id_token, jwks, meta, client_id, nonce):
    claims = jwt.decode(
        id_token,
        JsonWebKey.import_key_set(jwks),
        claims_options={
            "iss": {"essential": True, "value": meta["issuer"]},
            "aud": {"essential": True, "value": client_id},
            "nonce": {"essential": True, "value": nonce},
        },
    )
    claims.validate()
    return claims


def code_flow(meta, jwks, b, client_id, secret, scope, redirect=REDIRECT):
    s = OAuth2Session(client_id, secret, scope=scope, redirect_uri=redirect,
                      code_challenge_method="S256",
                      token_endpoint_auth_method="client_secret_basic" if secret else "none")
    verifier = generate_token(48)
    nonce = generate_token(20)
    url, state = s.create_authorization_url(meta["authorization_endpoint"], nonce=nonce, code_verifier=verifier)
    back = follow_to_tool(b, url)
    check(parse_qs(urlparse(back).query)["state"] == [state], "state passed back")
    token = s.fetch_token(meta["token_endpoint"], authorization_response=back, code_verifier=verifier)
    claims = validate(token["id_token"], jwks, meta, client_id, nonce)
    return s, token, claims, back, verifier


def token_error(meta, data, auth=None):
    r = requests.post(meta["token_endpoint"], data=data, auth=auth)
    check(r.status_code in (400, 401), f"expected an error: {r.status_code} {r.text}")
    return r.json()["error"]


TOKENS = {}


def main():
    start_backchannel()
    meta = requests.get(f"{BASE}/.well-known/openid-configuration").json()
    check(meta["issuer"] == BASE, f"issuer {meta['issuer']}")
    check("pairwise" in meta["subject_types_supported"], "pairwise")
    check("S256" in meta["code_challenge_methods_supported"], "S256")
    jwks = requests.get(meta["jwks_uri"]).json()
    b = browser()

    # Public client: PKCE, refresh rotation, replay, wrong verifier, tampering, revocation.
    s, token, claims, back, verifier = code_flow(meta, jwks, b, PUBLIC_ID, None, "openid offline_access")
    check(claims["school"] == SCHOOL and "name" not in claims, f"pseudonymous: {claims}")
    check(claims.header.get("alg") == "RS256", f"RS256 by default: {claims.header}")
    info = s.get(meta["userinfo_endpoint"]).json()
    check(info["sub"] == claims["sub"], "userinfo sub")
    old_refresh = token["refresh_token"]
    new = s.refresh_token(meta["token_endpoint"], refresh_token=old_refresh)
    check(new["refresh_token"] != old_refresh, "rotated")
    again = {"grant_type": "refresh_token", "refresh_token": old_refresh, "client_id": PUBLIC_ID}
    check(token_error(meta, again) == "invalid_grant", "old refresh token refused")
    # Reuse revoked the grant: the new tokens are dead too.
    r = requests.get(meta["userinfo_endpoint"], headers={"Authorization": f"Bearer {new['access_token']}"})
    check(r.status_code == 401, f"grant revoked after reuse: {r.status_code}")

    # A replayed code is refused, and what it gave is revoked.
    s, token, _, back, verifier = code_flow(meta, jwks, b, PUBLIC_ID, None, "openid")
    code = parse_qs(urlparse(back).query)["code"][0]
    replay = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
              "client_id": PUBLIC_ID, "code_verifier": verifier}
    check(token_error(meta, replay) == "invalid_grant", "replayed code")
    r = requests.get(meta["userinfo_endpoint"], headers={"Authorization": f"Bearer {token['access_token']}"})
    check(r.status_code == 401, f"tokens of a replayed code revoked: {r.status_code}")

    s2 = OAuth2Session(PUBLIC_ID, scope="openid", redirect_uri=REDIRECT, code_challenge_method="S256",
                       token_endpoint_auth_method="none")
    url, _ = s2.create_authorization_url(meta["authorization_endpoint"], nonce="n", code_verifier=generate_token(48))
    back2 = follow_to_tool(b, url)
    wrong = {"grant_type": "authorization_code", "code": parse_qs(urlparse(back2).query)["code"][0],
             "redirect_uri": REDIRECT, "client_id": PUBLIC_ID, "code_verifier": generate_token(48)}
    check(token_error(meta, wrong) == "invalid_grant", "wrong PKCE verifier")

    head, body, sig = token["id_token"].split(".")
    tampered = ".".join([head, body, sig[:-4] + ("AAAA" if not sig.endswith("AAAA") else "BBBB")])
    try:
        validate(tampered, jwks, meta, PUBLIC_ID, "x")
        raise AssertionError("tampered ID token accepted")
    except (BadSignatureError, DecodeError):
        pass

    # Confidential client with consent: personal claims after "teilen".
    c, ctoken, cclaims, _, _ = code_flow(meta, jwks, b, CONF_ID, CONF_SECRET, "openid profile email",
                                         CONF_REDIRECT)
    TOKENS["conf_id_token"] = ctoken["id_token"]
    check(cclaims["sub"] != claims["sub"], "pairwise differs per tool")
    check("school" not in cclaims, f"school number only where registered: {cclaims}")
    cinfo = c.get(meta["userinfo_endpoint"]).json()
    check("given_name" in cinfo and "email" in cinfo, f"consented claims: {cinfo}")
    check(token_error(meta, {"grant_type": "refresh_token", "refresh_token": ctoken["refresh_token"]},
                      auth=(CONF_ID, "falsch")) == "invalid_client", "wrong secret")
    r = c.revoke_token(meta["revocation_endpoint"], token=ctoken["refresh_token"], token_type_hint="refresh_token")
    check(r.status_code == 200, f"revocation: {r.status_code}")
    r = requests.get(meta["userinfo_endpoint"], headers={"Authorization": f"Bearer {ctoken['access_token']}"})
    check(r.status_code == 401, "revoked")

    # A redirect URI not registered: an error page, no redirect.
    bad = meta["authorization_endpoint"] + "?" + urlencode({
        "client_id": PUBLIC_ID, "redirect_uri": "https://evil.example/cb", "response_type": "code",
        "scope": "openid", "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256"})
    r = b.get(bad, allow_redirects=False)
    check(r.status_code == 400 and "location" not in r.headers, f"bad redirect_uri: {r.status_code}")

    if ES256_ID:
        es256(meta, jwks, b)
    prompts_and_cors(meta, b)
    central_logout(meta, jwks, b, url, cclaims)
    print("OK", claims["sub"])


def es256(meta, jwks, b):
    """A tool registered with ES256: its ID token is signed with the P-256 key of the JWKS."""
    check(meta["id_token_signing_alg_values_supported"] == ["RS256", "ES256"],
          f"algorithms: {meta['id_token_signing_alg_values_supported']}")
    _, _, claims, _, _ = code_flow(meta, jwks, b, ES256_ID, None, "openid")
    check(claims.header.get("alg") == "ES256", f"ES256 header: {claims.header}")
    key = [k for k in jwks["keys"] if k["kid"] == claims.header["kid"]]
    check(len(key) == 1 and key[0]["kty"] == "EC" and key[0]["crv"] == "P-256"
          and key[0]["alg"] == "ES256" and key[0]["use"] == "sig", f"the P-256 JWK: {key}")


def prompts_and_cors(meta, b):
    """prompt=none without a session, prompt=login and max_age=0 with one; CORS and CSRF."""
    s = OAuth2Session(PUBLIC_ID, scope="openid", redirect_uri=REDIRECT, code_challenge_method="S256",
                      token_endpoint_auth_method="none")
    url, _ = s.create_authorization_url(meta["authorization_endpoint"], code_verifier=generate_token(48),
                                        prompt="none")
    r = requests.get(url, allow_redirects=False)
    q = parse_qs(urlparse(r.headers.get("location", "")).query)
    check(r.headers.get("location", "").startswith(REDIRECT) and q.get("error") == ["login_required"],
          f"prompt=none without a session: {r.status_code} {r.headers.get('location')}")
    for extra in ({"prompt": "login"}, {"max_age": "0"}):
        url, _ = s.create_authorization_url(meta["authorization_endpoint"], code_verifier=generate_token(48),
                                            **extra)
        r = b.get(url, allow_redirects=False)
        loc = r.headers.get("location", "")
        check(loc.startswith("/anmelden?erneut=1"), f"{extra} demands a fresh login: {loc}")
        page = b.get(BASE + loc, allow_redirects=False)
        check(page.status_code == 200 and "passwort" in page.text, f"{extra}: the login form is shown")
    # A browser app's token request: not refused by the CSRF layer, answered with CORS.
    hdrs = {"Origin": "https://app.example", "Sec-Fetch-Site": "cross-site"}
    r = requests.options(meta["token_endpoint"], headers={**hdrs, "Access-Control-Request-Method": "POST"})
    check(r.status_code in (200, 204) and r.headers.get("access-control-allow-origin") == "*",
          f"token preflight: {r.status_code} {r.headers}")
    r = requests.post(meta["token_endpoint"], headers=hdrs,
                      data={"grant_type": "authorization_code", "code": "x", "client_id": PUBLIC_ID,
                            "redirect_uri": REDIRECT, "code_verifier": generate_token(48)})
    check(r.status_code == 400 and r.json()["error"] == "invalid_grant"
          and r.headers.get("access-control-allow-origin") == "*", f"cross-origin token: {r.status_code}")
    r = requests.post(meta["revocation_endpoint"], headers=hdrs, data={"token": "x", "client_id": PUBLIC_ID})
    check(r.status_code == 200, f"cross-origin revocation: {r.status_code}")


def central_logout(meta, jwks, b, url, cclaims):
    """RP-initiated logout: goodbye page with the front-channel frame, back to the tool, and
    a logout token at the back-channel endpoint."""
    check(cclaims.get("sid"), f"the ID token carries sid: {cclaims}")
    bye = CONF_REDIRECT.rsplit("/", 1)[0] + "/bye"
    r = b.get(meta["end_session_endpoint"], params={"id_token_hint": TOKENS["conf_id_token"],
              "post_logout_redirect_uri": bye, "state": "s1"}, allow_redirects=False)
    check(r.status_code == 200 and "bye?state=s1" in r.text, f"goodbye page: {r.status_code} {r.text[:300]}")
    front = CONF_REDIRECT.rsplit("/", 1)[0] + "/fcl"
    check(f'src="{front}?iss=' in r.text and f"sid={cclaims['sid']}" in r.text, f"front-channel frame: {r.text}")
    check(urlparse(front).netloc in r.headers.get("content-security-policy", ""), "frame allowed by CSP")
    r = b.get(url, allow_redirects=False)
    check(r.headers["location"].startswith("/anmelden"), "logged out at the platform")
    try:
        kind, form = LOGOUT_TOKENS.get(timeout=20)
    except queue.Empty:
        raise AssertionError("no back-channel logout token arrived")
    check(kind.startswith("application/x-www-form-urlencoded"), f"content type {kind}")
    token = form["logout_token"][0]
    claims = jwt.decode(token, JsonWebKey.import_key_set(jwks), claims_options={
        "iss": {"essential": True, "value": meta["issuer"]},
        "aud": {"essential": True, "value": CONF_ID},
        "iat": {"essential": True},
        "jti": {"essential": True},
        "events": {"essential": True},
    })
    claims.validate()
    check(BACKCHANNEL_EVENT in claims["events"], f"event: {claims}")
    check(claims["sid"] == cclaims["sid"] and claims["sub"] == cclaims["sub"], f"sub and sid: {claims}")
    check("nonce" not in claims, "no nonce in a logout token")
    check(claims.header.get("typ") == "logout+jwt", f"typ: {claims.header}")
    # The public client registered no back-channel URI: nothing else arrives.
    time.sleep(2)
    check(LOGOUT_TOKENS.empty(), "one logout token only")


if __name__ == "__main__":
    main()
