"""The shop's account row and the customers (contacts), with the merge rules of upsert."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from igdesk.domain import Account, Contact
from igdesk.store.db import Db, dump_json
from igdesk.store.timeconv import from_ms


def _opt_bool(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _to_bool(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def contact_from_row(row: sqlite3.Row) -> Contact:
    return Contact(
        id=row["id"],
        username=row["username"],
        name=row["name"],
        profile_pic=row["profile_pic"],
        follows_business=_to_bool(row["follows_business"]),
        business_follows=_to_bool(row["business_follows"]),
        follower_count=row["follower_count"],
        is_verified=_to_bool(row["is_verified"]),
    )


# Merge: an empty string or NULL from the caller means "not known here", never "erase".
_UPSERT_CONTACT = """
INSERT INTO contacts (id, username, name, profile_pic, follows_business, business_follows,
                      follower_count, is_verified, profile_fetched_at, raw, updated_at)
VALUES (:id, :username, :name, :profile_pic, :follows_business, :business_follows,
        :follower_count, :is_verified, :profile_fetched_at, :raw, :now)
ON CONFLICT (id) DO UPDATE SET
    username = CASE WHEN excluded.username <> '' THEN excluded.username ELSE username END,
    name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE name END,
    profile_pic = CASE WHEN excluded.profile_pic <> '' THEN excluded.profile_pic
                       ELSE profile_pic END,
    follows_business = coalesce(excluded.follows_business, follows_business),
    business_follows = coalesce(excluded.business_follows, business_follows),
    follower_count = coalesce(excluded.follower_count, follower_count),
    is_verified = coalesce(excluded.is_verified, is_verified),
    profile_fetched_at = coalesce(excluded.profile_fetched_at, profile_fetched_at),
    raw = CASE WHEN excluded.raw <> '{}' THEN excluded.raw ELSE raw END,
    updated_at = excluded.updated_at
"""


class ShopAccount:
    """The signed-in shop's own account row (one per archive): `archive.account`."""

    def __init__(self, db: Db) -> None:
        self._db = db

    def save(self, account: Account) -> None:
        """Store the signed-in shop account (there is exactly one per archive)."""
        with self._db.transaction():
            self._db.conn.execute(
                "INSERT OR REPLACE INTO account (singleton, id, username, name, picture_url,"
                " account_type, saved_at) VALUES (1, ?, ?, ?, ?, ?, ?)",
                (
                    account.id,
                    account.username,
                    account.name,
                    account.picture_url,
                    account.account_type,
                    self._db.now_ms(),
                ),
            )

    def get(self) -> Account | None:
        row = self._db.conn.execute(
            "SELECT id, username, name, picture_url, account_type FROM account"
        ).fetchone()
        if row is None:
            return None
        return Account(
            id=row["id"],
            username=row["username"],
            name=row["name"],
            picture_url=row["picture_url"],
            account_type=row["account_type"],
        )


class Contacts:
    """The shop's customers, merged from every source that names them: `archive.contacts`."""

    def __init__(self, db: Db) -> None:
        self._db = db

    def upsert(
        self,
        contact: Contact,
        *,
        profile_fetched: bool = False,
        raw: dict[str, Any] | None = None,
    ) -> None:
        """Insert or merge a contact.

        A None field never overwrites a known value, and an empty username, name or picture
        never erases a known one. `profile_fetched=True` records that the User Profile API
        answered now (see `without_profile`). `raw` keeps the API payload.
        """
        if not contact.id:
            raise ValueError("a contact needs an id")
        now = self._db.now_ms()
        with self._db.transaction():
            self._db.conn.execute(
                _UPSERT_CONTACT,
                {
                    "id": contact.id,
                    "username": contact.username,
                    "name": contact.name,
                    "profile_pic": contact.profile_pic,
                    "follows_business": _opt_bool(contact.follows_business),
                    "business_follows": _opt_bool(contact.business_follows),
                    "follower_count": contact.follower_count,
                    "is_verified": _opt_bool(contact.is_verified),
                    "profile_fetched_at": now if profile_fetched else None,
                    "raw": dump_json(raw) if raw else "{}",
                    "now": now,
                },
            )

    def get(self, contact_id: str) -> Contact | None:
        row = self._db.conn.execute("SELECT * FROM contacts WHERE id = ?", (contact_id,)).fetchone()
        return None if row is None else contact_from_row(row)

    def raw(self, contact_id: str) -> dict[str, Any]:
        """The last profile payload stored for a contact ({} when none)."""
        row = self._db.conn.execute(
            "SELECT raw FROM contacts WHERE id = ?", (contact_id,)
        ).fetchone()
        if row is None:
            return {}
        value = json.loads(row["raw"])
        return value if isinstance(value, dict) else {}

    def profile_fetched_at(self, contact_id: str) -> datetime | None:
        """When the User Profile API last answered for this contact (None: never)."""
        row = self._db.conn.execute(
            "SELECT profile_fetched_at FROM contacts WHERE id = ?", (contact_id,)
        ).fetchone()
        if row is None or row["profile_fetched_at"] is None:
            return None
        return from_ms(row["profile_fetched_at"])

    def without_profile(self) -> list[str]:
        """Ids whose profile was never fetched, most recently active conversation first."""
        rows = self._db.conn.execute(
            """
            SELECT c.id FROM contacts AS c
            LEFT JOIN (SELECT contact_id, max(sort_at) AS active FROM threads
                       GROUP BY contact_id) AS t ON t.contact_id = c.id
            WHERE c.profile_fetched_at IS NULL
              AND c.id NOT IN (SELECT id FROM account)
            ORDER BY t.active DESC NULLS LAST, c.id
            """
        ).fetchall()
        return [row["id"] for row in rows]
