"""The schemas of the gateway's own operations (sign-in and tokens). Every other operation of the
public API is forwarded, and documented by the backend that answers it (gateway.openapi)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class CredentialsIn(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=320),
                          metadata={"label_da": "E-mail", "label_en": "Email"})
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=1024),
                             metadata={"label_da": "Adgangskode", "label_en": "Password"})


class AccessTokenOut(Schema):
    access_token = fields.String(required=True, metadata={"description": "send as `Authorization: Bearer <token>`"})
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "seconds the token is valid"})
