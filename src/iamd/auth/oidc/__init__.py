"""OpenID Connect web identity: fetching an issuer's keys (``fetch``, ``jwks``), verifying its
JWTs (``jwt_verify``), and the AssumeRoleWithWebIdentity authenticator (``web_identity``)."""
