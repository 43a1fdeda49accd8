"""Open Badges 3.0 credentials for certificates: build, sign, publish keys, revoke, bake, verify, print.

A self-contained library (no Flask, no pymongo, no network): scoring's handlers and the gateway's
public pages call it. See "Credentials (Open Badges 3.0)" in the scoring README for how to wire it.
"""
