"""kmslab: learn by experiment how AWS KMS decides who may use a key."""

__version__ = "0.1.0"
