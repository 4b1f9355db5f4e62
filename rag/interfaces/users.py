"""Who may use a server, and which collections each user sees.

A users file (TOML, written by `rag users add`) holds, per user, a salted scrypt hash of the
password, an optional API key's SHA-256 (keys are random, so a fast hash is enough), the
collections the user may see ("*": all) and whether the user is an admin (sees all):

    [users.alice]
    password = "scrypt$16384$8$1$<salt>$<hash>"
    api_key_sha256 = "<hex>"
    collections = ["contracts"]
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from rag.errors import ConfigError

SCRYPT = (2**14, 8, 1)  # n, r, p: about 50 ms a check here
ALL = "*"


@dataclass(frozen=True)
class User:
    name: str
    password: str  # "scrypt$n$r$p$salt$hash"
    collections: tuple[str, ...] = ()
    admin: bool = False
    api_key_sha256: str | None = None

    def sees(self, collection: str) -> bool:
        return self.admin or ALL in self.collections or collection in self.collections


@dataclass(frozen=True)
class Users:
    """The users of a server, by name."""

    by_name: dict[str, User]

    @classmethod
    def single(cls, name: str, password: str) -> Users:
        """One user who sees every collection (``--auth USER:PASSWORD``)."""
        return cls({name: User(name, hash_password(password), (ALL,), admin=True)})

    @classmethod
    def load(cls, path: Path) -> Users:
        """The users in ``path``; a ConfigError naming what is wrong with it."""
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"users file not found: {path}") from None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"cannot read the users file {path}: {error}") from None
        users = {}
        for name, entry in (data.get("users") or {}).items():
            if not isinstance(entry, dict) or not str(entry.get("password", "")).startswith(
                "scrypt$"
            ):
                raise ConfigError(
                    f"user {name!r} in {path} has no password hash (add users with `rag users add`)"
                )
            collections = entry.get("collections", [])
            if not isinstance(collections, list) or not all(
                isinstance(c, str) for c in collections
            ):
                raise ConfigError(f"user {name!r} in {path}: collections must be a list of names")
            users[name] = User(
                name,
                entry["password"],
                tuple(collections),
                bool(entry.get("admin", False)),
                entry.get("api_key_sha256"),
            )
        return cls(users)

    def login(self, name: str, password: str) -> User | None:
        """The user when ``password`` is theirs, else None."""
        user = self.by_name.get(name)
        return user if user is not None and check_password(password, user.password) else None

    def by_key(self, key: str) -> User | None:
        """The user whose API key ``key`` is, else None."""
        digest = hashlib.sha256(key.encode()).hexdigest()
        for user in self.by_name.values():
            if user.api_key_sha256 and hmac.compare_digest(user.api_key_sha256, digest):
                return user
        return None

    def save(self, path: Path) -> None:
        lines = []
        for user in self.by_name.values():
            lines += [f"[users.{json.dumps(user.name)}]", f"password = {json.dumps(user.password)}"]
            if user.api_key_sha256:
                lines.append(f"api_key_sha256 = {json.dumps(user.api_key_sha256)}")
            lines.append(f"collections = {json.dumps(list(user.collections))}")
            if user.admin:
                lines.append("admin = true")
            lines.append("")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.with_name(path.name + ".tmp")
        staging.write_text("\n".join(lines), encoding="utf-8")
        staging.chmod(0o600)
        staging.replace(path)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    n, r, p = SCRYPT
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        found = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p)
        )
    except ValueError:
        return False
    return hmac.compare_digest(found.hex(), digest)


def add_user(
    path: Path, name: str, password: str, collections: list[str], admin: bool = False
) -> str:
    """Add (or replace) user ``name`` in the users file at ``path``; their new API key."""
    if not name or not password:
        raise ConfigError("a user needs a name and a password")
    users = Users.load(path) if Path(path).exists() else Users({})
    key = "rag-" + secrets.token_urlsafe(24)
    user = User(
        name,
        hash_password(password),
        tuple(collections),
        admin,
        hashlib.sha256(key.encode()).hexdigest(),
    )
    replace(users, by_name={**users.by_name, name: user}).save(path)
    return key
