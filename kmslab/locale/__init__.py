"""kmslab's message catalogs (gettext): `kmslab.pot` and `<lang>/LC_MESSAGES/kmslab.po`; see `catalogs`."""
