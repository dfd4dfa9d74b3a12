"""An LTI 1.3 tool built on pylti1p3 and Flask against a running Schulhof: the tool's OIDC
login, the launch (ID token validated by pylti1p3 against the platform's JWKS, nonce and
state checked by it), Deep Linking (pylti1p3 signs the response), Names and Role
Provisioning and Assignment and Grade Services (pylti1p3 gets the token with its own
signed client assertion). A requests session plays the browser of a teacher and a student.
Refusals checked: a deep linking response posted twice (nonce), one with a bad signature,
a client assertion replayed or signed by another key.

With a second tool registered for name and mail address with terms of use, the consent
chain as a browser walks it: opening the activity shows the platform's consent screen
before the tool hears of it (tools ask with prompt=none); cancelling leads back to the
activity; sharing goes on to the tool, whose launch pylti1p3 validates and which carries
name and mail address, as the roster does for that pupil only; the spent launch cannot be
answered again; the consent stands for the next launch; withdrawn in Mein Konto while a
launch is under way, the tool gets `consent_required` with its state; the screen comes
again, and the pseudonym chosen there launches without name or mail address, the roster
then naming nobody.

Usage: lti_tool.py keygen DIR
       lti_tool.py run BASE SCHOOL PASSWORD CLIENT_ID DEPLOYMENT_ID DIR TOOL_PORT
                   [CONSENT_CLIENT_ID CONSENT_DEPLOYMENT_ID]
Prints "OK ..." on success; any failure raises.
"""

import html
import json
import re
import sys
import threading
import time
import uuid
from datetime import datetime, timezone

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify, request
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfDict
from werkzeug.serving import make_server

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def new_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    priv = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()
    pub = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return priv, pub


def keygen(d):
    priv, pub = new_key()
    open(f"{d}/private.pem", "w").write(priv)
    open(f"{d}/public.pem", "w").write(pub)
    json.dump({"keys": [Registration.get_jwk(pub)]}, open(f"{d}/jwks.json", "w"))


def tool_app(base, tools, priv, pub, tool, logins):
    """`tools`: (client_id, deployment_id) of each registration; the first is the default
    and does everything, the others (the consent tool) report who launched and the roster.
    `logins` collects the client ids of the login initiations the tool received."""
    conf = ToolConfDict({base: [{
        "default": i == 0, "client_id": client_id,
        "auth_login_url": f"{base}/lti/authorize", "auth_token_url": f"{base}/lti/token",
        "key_set_url": f"{base}/oidc/jwks", "key_set": None, "deployment_ids": [deployment_id],
    } for i, (client_id, deployment_id) in enumerate(tools)]})
    for client_id, _ in tools:
        conf.set_private_key(base, priv, client_id=client_id)
        conf.set_public_key(base, pub, client_id=client_id)
    app = Flask("lti_tool")
    app.secret_key = uuid.uuid4().hex
    app.config["SESSION_COOKIE_NAME"] = "tool_session"

    @app.route("/login", methods=["GET", "POST"])
    def login():
        logins.append(request.values.get("client_id"))
        # The launch URL is fixed (registered); the target travels in the message.
        return FlaskOIDCLogin(FlaskRequest(), conf).redirect(f"{tool}/launch")

    @app.route("/launch", methods=["POST"])
    def launch():
        if "error" in request.form:
            # The platform's error answer (OIDC Core §3.1.2.6): no ID token, the tool's
            # state back, which must be the one its login set.
            state = request.form.get("state", "")
            return jsonify(error=request.form["error"],
                           error_description=request.form.get("error_description"),
                           state_ok=bool(state) and request.cookies.get(f"lti1p3-{state}") == state)
        try:
            ml = FlaskMessageLaunch(FlaskRequest(), conf)
            data = ml.get_launch_data()
            if data["aud"] != tools[0][0]:
                return jsonify(sub=data["sub"], name=data.get("name"),
                               given_name=data.get("given_name"), email=data.get("email"),
                               members=ml.get_nrps().get_members())
            if ml.is_deep_link_launch():
                item = (DeepLinkResource().set_url(f"{tool}/launch?kapitel=1")
                        .set_title("Kapitel 1: Brüche").set_custom_params({"kapitel": "1"}))
                return ml.get_deep_link().output_response_form([item])
            members = ml.get_nrps().get_members()
            grade = (Grade().set_score_given(7).set_score_maximum(10)
                     .set_timestamp(datetime.now(timezone.utc).isoformat())
                     .set_activity_progress("Completed").set_grading_progress("FullyGraded")
                     .set_user_id(data["sub"]).set_comment("Gut gemacht"))
            ags = ml.get_ags()
            ags.put_grade(grade)
            # The result service (AGS §3.5) as pylti1p3 reads it: GET {lineitem}/results.
            results = ags.get_grades()
            return jsonify(sub=data["sub"], roles=data[LTI + "roles"], context=data[LTI + "context"],
                           custom=data.get(LTI + "custom"), name=data.get("name"), members=members,
                           results=results,
                           lineitems=data["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]["lineitems"])
        except LtiException as e:
            return f"LtiException: {e}", 400

    return app


def form(text):
    action = re.search(r'<form[^>]*action="([^"]+)"', text)
    check(action, f"no form in: {text[:400]}")
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', text))
    return html.unescape(action.group(1)), {k: html.unescape(v) for k, v in fields.items()}


def browser(base, school, login, password):
    b = requests.Session()
    r = b.post(f"{base}/api/v1/session", json={"instance": school, "login": login, "password": password})
    check(r.status_code in (200, 201), f"login {login}: {r.status_code} {r.text}")
    if r.json().get("required") == "consent_required":
        r = b.post(f"{base}/api/v1/consent", json={"terms": True, "privacy": True})
        check(r.status_code == 204, f"platform terms: {r.status_code}")
    return b


def to_tool(b, url):
    """Platform → tool login → platform authorization → the self-posting form → tool."""
    r = b.get(url)
    check(r.status_code == 200, f"{url}: {r.status_code} {r.text[:300]}")
    action, fields = form(r.text)
    check("id_token" in fields, f"no id_token: {fields}")
    return b.post(action, data=fields, allow_redirects=False)


def run(base, school, password, client_id, deployment_id, d, port, consent_id=None, consent_deployment=None):
    priv, pub = open(f"{d}/private.pem").read(), open(f"{d}/public.pem").read()
    tool = f"http://127.0.0.1:{port}"
    tools = [(client_id, deployment_id)]
    if consent_id:
        tools.append((consent_id, consent_deployment))
    logins = []
    server = make_server("127.0.0.1", int(port), tool_app(base, tools, priv, pub, tool, logins))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sub = scenario(base, school, password, client_id, tool, d)
        if consent_id:
            consent_scenario(base, school, password, consent_id, tool, logins)
        return sub
    finally:
        server.shutdown()


def scenario(base, school, password, client_id, tool, d):
    teacher = browser(base, school, "lehrer", password)
    page = teacher.get(f"{base}/kurse").text
    course = re.search(r'href="/kurse/([0-9a-f-]{36})"', page).group(1)
    page = teacher.get(f"{base}/kurse/{course}").text
    section = re.search(r'/kurse/abschnitte/([0-9a-f-]{36})/lti/neu', page).group(1)
    # The teacher places the tool in the section with the form.
    r = teacher.post(f"{base}/kurse/abschnitte/{section}/lti/neu",
                     data={"werkzeug": client_id, "titel": "Übungsraum", "parameter": "stufe=5"},
                     allow_redirects=False)
    check(r.status_code in (302, 303), f"place tool: {r.status_code} {r.text[:300]}")
    activity = re.search(r"/kurse/lti/([0-9a-f-]{36})", r.headers["location"]).group(1)

    # Deep linking: the teacher picks content in the tool; pylti1p3 signs the response.
    r = to_tool(teacher, f"{base}/lti/auswahl/{section}?werkzeug={client_id}")
    check(r.status_code == 200, f"deep linking launch: {r.status_code} {r.text[:400]}")
    action, fields = form(r.text)
    check(action == f"{base}/lti/deeplink" and "JWT" in fields, f"deep linking form: {action}")
    token = fields["JWT"]
    head, body, sig = token.split(".")
    forged = f"{head}.{body}.{sig[:-6]}AAAAAA"
    r = teacher.post(action, data={"JWT": forged}, allow_redirects=False)
    check(r.status_code == 400 and r.json()["error"] == "invalid_request", f"bad signature: {r.status_code} {r.text}")
    r = teacher.post(action, data={"JWT": token}, allow_redirects=False)
    check(r.status_code in (302, 303) and f"/kurse/{course}" in r.headers["location"], f"deep link return: {r.status_code} {r.text}")
    r = teacher.post(action, data={"JWT": token}, allow_redirects=False)
    check(r.status_code == 400 and "nonce" in r.json().get("error_description", ""), f"nonce reuse: {r.status_code} {r.text}")
    page = teacher.get(f"{base}/kurse/{course}").text
    links = re.findall(r'<a href="/kurse/lti/[0-9a-f-]{36}">Kapitel 1: Brüche</a>', page)
    check(len(links) == 1, f"the picked content is in the course once: {links}")

    # The student launches; the tool reads the roster (NRPS) and posts a grade (AGS).
    student = browser(base, school, "schueler", password)
    r = to_tool(student, f"{base}/lti/start/{activity}")
    check(r.status_code == 200, f"resource launch: {r.status_code} {r.text[:400]}")
    got = r.json()
    check(got["roles"] == [LEARNER], f"roles: {got['roles']}")
    check(got["context"]["id"] == course, f"context: {got['context']}")
    check(got["custom"] == {"stufe": "5"}, f"custom: {got['custom']}")
    check(got["name"] is None, "no name without consent")
    subs = [m["user_id"] for m in got["members"]]
    check(got["sub"] in subs and len(subs) >= 2, f"roster: {subs}")
    check(all("name" not in m for m in got["members"]), "the roster is pseudonymous")
    page = teacher.get(f"{base}/kurse/lti/{activity}").text
    check("70.0 / 100.0" in page and "Gut gemacht" in page, "the grade is in the course")
    mine = [x for x in got["results"] if x["userId"] == got["sub"]]
    check(len(mine) == 1 and mine[0]["resultScore"] == 70.0 and mine[0]["resultMaximum"] == 100.0
          and mine[0]["comment"] == "Gut gemacht", f"results: {got['results']}")
    page = teacher.get(f"{base}/kurse/{course}/fortschritt").text
    check("70 / 100" in page, "the score is in the course's progress table")

    # The token endpoint: a replayed or foreign-signed client assertion is invalid_client.
    priv = open(f"{d}/private.pem").read()
    kid = json.load(open(f"{d}/jwks.json"))["keys"][0]["kid"]
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": f"{base}/lti/token",
              "iat": now, "exp": now + 60, "jti": uuid.uuid4().hex}
    assertion = jwt.encode(claims, priv, algorithm="RS256", headers={"kid": kid})
    form_data = {"grant_type": "client_credentials",
                 "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                 "client_assertion": assertion,
                 "scope": "https://purl.imsglobal.org/spec/lti-ags/scope/score"}
    r = requests.post(f"{base}/lti/token", data=form_data)
    check(r.status_code == 200 and r.json()["token_type"] == "Bearer", f"token: {r.status_code} {r.text}")
    r = requests.post(f"{base}/lti/token", data=form_data)
    check(r.status_code == 401 and r.json()["error"] == "invalid_client", f"jti replay: {r.status_code} {r.text}")
    other, _ = new_key()
    form_data["client_assertion"] = jwt.encode(dict(claims, jti=uuid.uuid4().hex), other,
                                               algorithm="RS256", headers={"kid": kid})
    r = requests.post(f"{base}/lti/token", data=form_data)
    check(r.status_code == 401 and r.json()["error"] == "invalid_client", f"foreign key: {r.status_code} {r.text}")
    r = requests.get(f"{base}/lti/dienste/x/{course}/mitglieder", headers={"Authorization": "Bearer nope"})
    check(r.status_code == 401, f"bad bearer: {r.status_code}")

    # Line items: the tool makes its own column, changes it (PUT) and deletes it (DELETE).
    form_data["client_assertion"] = jwt.encode(dict(claims, jti=uuid.uuid4().hex), priv,
                                               algorithm="RS256", headers={"kid": kid})
    form_data["scope"] = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
    r = requests.post(f"{base}/lti/token", data=form_data)
    check(r.status_code == 200, f"lineitem token: {r.status_code} {r.text}")
    auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
    media = {"Content-Type": "application/vnd.ims.lis.v2.lineitem+json"}
    r = requests.post(got["lineitems"], json={"label": "Zusatz", "scoreMaximum": 10},
                      headers={**auth, **media})
    check(r.status_code == 201, f"add line item: {r.status_code} {r.text}")
    item = r.json()["id"]
    r = requests.put(item, json={"label": "Zusatz (neu)", "scoreMaximum": 20, "tag": "z"},
                     headers={**auth, **media})
    check(r.status_code == 200 and r.json()["label"] == "Zusatz (neu)" and r.json()["scoreMaximum"] == 20,
          f"update line item: {r.status_code} {r.text}")
    r = requests.delete(item, headers=auth)
    check(r.status_code == 204, f"delete line item: {r.status_code} {r.text}")
    r = requests.get(item, headers=auth)
    check(r.status_code == 404, f"deleted line item: {r.status_code}")
    return got["sub"]


def consent_screen(r):
    """The platform's consent screen: its text, where it returns to (`weiter`) and the
    answers its buttons offer."""
    check(r.status_code == 200 and r.url.split("?")[0].endswith("/oidc/zustimmung"),
          f"consent screen: {r.status_code} {r.url} {r.text[:300]}")
    m = re.search(r'<form method="post" action="/oidc/zustimmung"[^>]*>(.*?)</form>', r.text, re.S)
    check(m, f"no consent form in: {r.text[:400]}")
    weiter = re.search(r'name="weiter" value="([^"]*)"', m.group(1))
    check(weiter, "the waiting request is in the form")
    answers = re.findall(r'name="antwort" value="([^"]+)"', m.group(1))
    return html.unescape(r.text), html.unescape(weiter.group(1)), answers


def answer(b, base, weiter, antwort):
    """Presses a button of the consent screen: the browser goes on to the tool's login and
    the platform's self-posting launch form, which it sends to the tool. Returns the tool's
    answer and the authentication request the launch was answered to."""
    r = b.post(f"{base}/oidc/zustimmung", data={"weiter": weiter, "antwort": antwort})
    check(r.status_code == 200 and "/lti/authorize" in r.url, f"resumed: {r.status_code} {r.url} {r.text[:300]}")
    action, fields = form(r.text)
    check("id_token" in fields, f"no id_token: {fields}")
    return b.post(action, data=fields, allow_redirects=False), r.url


def consent_scenario(base, school, password, client_id, tool, logins):
    teacher = browser(base, school, "lehrer", password)
    page = teacher.get(f"{base}/kurse").text
    course = re.search(r'href="/kurse/([0-9a-f-]{36})"', page).group(1)
    page = teacher.get(f"{base}/kurse/{course}").text
    section = re.search(r'/kurse/abschnitte/([0-9a-f-]{36})/lti/neu', page).group(1)
    r = teacher.post(f"{base}/kurse/abschnitte/{section}/lti/neu",
                     data={"werkzeug": client_id, "titel": "Namensliste"}, allow_redirects=False)
    check(r.status_code in (302, 303), f"place consent tool: {r.status_code} {r.text[:300]}")
    activity = re.search(r"/kurse/lti/([0-9a-f-]{36})", r.headers["location"]).group(1)
    start = f"{base}/lti/start/{activity}"

    # Opening the activity shows the consent screen before the tool hears of it (tools ask
    # with prompt=none, as pylti1p3 does): the data asked for and the terms.
    pupil = browser(base, school, "schueler", password)
    before = len(logins)
    text, weiter, answers = consent_screen(pupil.get(start))
    check("Namenswerkzeug" in text and "Vor- und Nachname" in text and "E-Mail-Adresse" in text
          and "Ergebnisse bleiben ein Schuljahr." in text, f"consent screen text: {text[:2000]}")
    check(answers == ["teilen", "pseudonym", "abbrechen"], f"answers: {answers}")
    check(weiter == f"/lti/start/{activity}?werkzeug={client_id}", f"weiter: {weiter}")

    # Cancelled: back to the activity; the tool was never contacted.
    r = pupil.post(f"{base}/oidc/zustimmung", data={"weiter": weiter, "antwort": "abbrechen"})
    check(r.status_code == 200 and r.url == f"{base}/kurse/lti/{activity}", f"cancel: {r.status_code} {r.url}")
    check(len(logins) == before, f"the tool heard nothing: {logins[before:]}")

    # Shared: the launch goes on to the tool; pylti1p3 validates it; name and mail with it.
    text, weiter, _ = consent_screen(pupil.get(start))
    r, resumed = answer(pupil, base, weiter, "teilen")
    check(r.status_code == 200, f"launch after consent: {r.status_code} {r.text[:400]}")
    check(len(logins) == before + 1, f"one login at the tool: {logins[before:]}")
    got = r.json()
    check(got["name"] == "Sophie Schüler" and got["given_name"] == "Sophie", f"name: {got}")
    check(got["email"] and "@" in got["email"], f"email: {got}")
    sub = got["sub"]
    named = {m["user_id"]: m.get("name") for m in got["members"]}
    check(named.get(sub) == "Sophie Schüler", f"the pupil named in the roster: {named}")
    check(len(named) >= 2 and all(n is None for s, n in named.items() if s != sub),
          f"nobody else named: {got['members']}")
    # The launch is spent: its authentication request once more is refused at the tool.
    action, fields = form(pupil.get(resumed).text)
    check(action == f"{tool}/launch" and fields.get("error") == "invalid_request"
          and "id_token" not in fields, f"spent: {action} {fields}")
    # The consent stands: the next launch goes straight to the tool.
    r = to_tool(pupil, start)
    check(r.status_code == 200 and r.json()["name"] == "Sophie Schüler", f"standing consent: {r.text[:300]}")

    # Withdrawn in Mein Konto while a launch is on its way to the tool: the tool's request
    # (prompt=none) is answered consent_required, with the tool's state.
    r = pupil.get(start, allow_redirects=False)
    check(r.status_code in (302, 303) and r.headers["location"].startswith(f"{tool}/login"),
          f"to the tool: {r.status_code} {r.headers.get('location')}")
    to_login = r.headers["location"]
    r = pupil.post(f"{base}/konto/werkzeuge/{client_id}/widerrufen", allow_redirects=False)
    check(r.status_code in (200, 302, 303), f"withdraw: {r.status_code} {r.text[:300]}")
    r = pupil.get(to_login)
    action, fields = form(r.text)
    check(action == f"{tool}/launch" and fields.get("error") == "consent_required"
          and "id_token" not in fields, f"withdrawn meanwhile: {fields}")
    got = pupil.post(action, data=fields, allow_redirects=False).json()
    check(got["error"] == "consent_required" and got["state_ok"], f"at the tool: {got}")

    # The screen comes again; the pseudonym chosen there launches without name or mail,
    # under the same pseudonym, and the roster names nobody.
    text, weiter, _ = consent_screen(pupil.get(start))
    r, _ = answer(pupil, base, weiter, "pseudonym")
    check(r.status_code == 200, f"pseudonymous launch: {r.status_code} {r.text[:400]}")
    got = r.json()
    check(got["sub"] == sub, f"the same pseudonym: {got['sub']} {sub}")
    check(got["name"] is None and got["given_name"] is None and got["email"] is None, f"no personal data: {got}")
    check(all("name" not in m and "email" not in m for m in got["members"]), f"roster: {got['members']}")


if __name__ == "__main__":
    if sys.argv[1] == "keygen":
        keygen(sys.argv[2])
        print("OK keys")
    else:
        print("OK", run(*sys.argv[2:]))
