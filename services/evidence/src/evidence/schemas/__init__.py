"""Marshmallow schemas of the evidence API, its OpenAPI document: the request bodies and queries
(`requests`, as strict as the domain) and every answer (`answers`, what the views dump)."""
