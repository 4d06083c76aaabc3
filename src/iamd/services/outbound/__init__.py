"""Outbound web identity federation: iamd as the OpenID Connect issuer of an account's principals.

``federation`` (the account's switch and issuer URL), ``keys`` (signing keys and the JWKS),
``tokens`` (the JWT GetWebIdentityToken returns), ``errors``. The IAM actions are in
``services/iam/outbound_federation.py``, the STS one in ``services/sts/web_identity_token.py``,
the public discovery endpoints in ``api/outbound.py``.
"""
