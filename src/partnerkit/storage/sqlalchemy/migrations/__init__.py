"""partnerkit's Alembic revisions (branch label ``partnerkit``); no ``env.py``: the host has one.

List this folder (``partnerkit.storage.sqlalchemy.MIGRATIONS``) in the host's
``version_locations`` and run ``alembic upgrade partnerkit@head``.
"""
