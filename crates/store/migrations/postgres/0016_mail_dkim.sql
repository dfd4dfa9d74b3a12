-- DKIM signing keys of a school's mail domains (its standard domain and further domains),
-- one per selector so a key can be rolled over later. The private key (PKCS#8 DER) is
-- sealed with the school's key like other secrets; the public key (base64 of the
-- SubjectPublicKeyInfo) is what the DNS TXT record publishes.
CREATE TABLE mail_dkim_keys (
    instance_id UUID NOT NULL REFERENCES instances(id),
    domain TEXT NOT NULL,
    selector TEXT NOT NULL,
    sealed_key BYTEA NOT NULL,
    public_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, domain, selector)
);
