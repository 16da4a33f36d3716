"""The HTTP API (CONTRACT §5), one flask-smorest blueprint per area (see ``web.app``)."""
