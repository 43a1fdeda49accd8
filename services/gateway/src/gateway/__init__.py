"""The gateway: the only door to the platform. It serves the web portal (Danish first, English
available) and the public JSON API at /api/v1, authenticates people, enforces the authorisation
table, and forwards to the services' internal HTTP APIs with a signed identity. It holds no
database; sessions and access tokens are signed."""
