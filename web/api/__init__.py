"""The HTTP API, one flask-smorest blueprint per area (see ``web.app``)."""
