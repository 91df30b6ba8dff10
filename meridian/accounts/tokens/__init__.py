"""Personal API tokens: stored as SHA-512 digests (django-rest-knox), with a name, an expiry and a last use.

The secret is shown once, when the token is created (account page or ``meridian create-token``); only its
digest and its first 15 characters (to find the row) are kept. Expired and revoked tokens answer 401.
"""
