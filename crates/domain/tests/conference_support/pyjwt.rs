//! PyJWT, a third-party JWT library, reads the Jitsi tokens.

/// Verifies with PyJWT (signature, `exp`, `nbf`, `aud`, `iss`) and returns the claims.
pub fn decode(token: &str, secret: &str, app_id: &str) -> Result<serde_json::Value, String> {
    let python = std::env::var("SCHULHOF_PYTHON")
        .unwrap_or_else(|_| "/var/tmp/schulhof-venv/bin/python".into());
    let script = "import sys, json, jwt\n\
        claims = jwt.decode(sys.argv[1], sys.argv[2], algorithms=['HS256'], audience=sys.argv[3], issuer=sys.argv[3], options={'require': ['exp', 'nbf', 'iat', 'aud', 'iss', 'sub']})\n\
        print(json.dumps(claims))";
    let out = std::process::Command::new(&python)
        .args(["-c", script, token, secret, app_id])
        .output()
        .expect(
            "the Python environment of scripts/ensure-test-deps.sh (SCHULHOF_PYTHON) with PyJWT",
        );
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}
