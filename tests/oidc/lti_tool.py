"""An LTI 1.3 tool built on pylti1p3 and Flask against a running Schulhof: the tool's OIDC
login, the launch (ID token validated by pylti1p3 against the platform's JWKS, nonce and
state checked by it), Deep Linking (pylti1p3 signs the response), Names and Role
Provisioning and Assignment and Grade Services (pylti1p3 gets the token with its own
signed client assertion). A requests session plays the browser of a teacher and a student.
Refusals checked: a deep linking response posted twice (nonce), one with a bad signature,
a client assertion replayed or signed by another key.

Usage: lti_tool.py keygen DIR
       lti_tool.py run BASE SCHOOL PASSWORD CLIENT_ID DEPLOYMENT_ID DIR TOOL_PORT
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
from flask import Flask, jsonify
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


def tool_app(base, client_id, deployment_id, priv, pub, tool):
    conf = ToolConfDict({base: [{
        "default": True, "client_id": client_id,
        "auth_login_url": f"{base}/lti/authorize", "auth_token_url": f"{base}/lti/token",
        "key_set_url": f"{base}/oidc/jwks", "key_set": None, "deployment_ids": [deployment_id],
    }]})
    conf.set_private_key(base, priv, client_id=client_id)
    conf.set_public_key(base, pub, client_id=client_id)
    app = Flask("lti_tool")
    app.secret_key = uuid.uuid4().hex
    app.config["SESSION_COOKIE_NAME"] = "tool_session"

    @app.route("/login", methods=["GET", "POST"])
    def login():
        # The launch URL is fixed (registered); the target travels in the message.
        return FlaskOIDCLogin(FlaskRequest(), conf).redirect(f"{tool}/launch")

    @app.route("/launch", methods=["POST"])
    def launch():
        try:
            ml = FlaskMessageLaunch(FlaskRequest(), conf)
            data = ml.get_launch_data()
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


def run(base, school, password, client_id, deployment_id, d, port):
    priv, pub = open(f"{d}/private.pem").read(), open(f"{d}/public.pem").read()
    tool = f"http://127.0.0.1:{port}"
    server = make_server("127.0.0.1", int(port), tool_app(base, client_id, deployment_id, priv, pub, tool))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        return scenario(base, school, password, client_id, tool, d)
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


if __name__ == "__main__":
    if sys.argv[1] == "keygen":
        keygen(sys.argv[2])
        print("OK keys")
    else:
        print("OK", run(*sys.argv[2:9]))
