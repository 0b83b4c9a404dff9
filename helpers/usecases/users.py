"""User management (course Part 4.1.1, project 2): profiles, roles, sessions, likes and shares.

Keys:
    user:{id}                  hash   the profile
    user:{id}:roles            set    role names
    role:{name}:permissions    set    what a role may do
    session:{token}            hash   user and creation time; expires after `ttl` seconds idle
    sessions:active            zset   token -> expiry time, to count sessions alive now
    item:{item}:likes          set    users who liked the item (a set: no double like)
    item:{item}:shares         set    users who shared it
    user:{id}:likes            set    items the user liked
    leaderboard:likes          zset   item -> likes, the most liked first

A like touches the item's slot, the user's slot and the leaderboard's: three slots, so
three writes, not one transaction. The set decides (SADD answers 1 only the first time),
so a double like changes nothing anywhere (notebook 04).
"""
from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING

from helpers.i18n import _
from helpers.usecases import SessionExpired, UseCaseError

if TYPE_CHECKING:
    from redis.cluster import RedisCluster


class UnknownUser(UseCaseError):
    """No profile with that user id."""


class Users:
    """Profiles, roles and permissions, sessions, likes and shares (notebook 04)."""

    ACTIVE = "sessions:active"
    LEADERBOARD = "leaderboard:likes"

    def __init__(self, rc: "RedisCluster", session_ttl: int = 1800) -> None:
        self.rc = rc
        self.ttl = session_ttl

    # ---- profiles, roles, permissions -------------------------------------------------------
    def add_user(self, user_id: str, name: str, email: str, roles: tuple[str, ...] = ()) -> None:
        """Create or replace a profile and give it roles."""
        self.rc.hset(f"user:{{{user_id}}}", mapping={"name": name, "email": email})
        if roles:
            self.rc.sadd(f"user:{{{user_id}}}:roles", *roles)

    def profile(self, user_id: str) -> dict:
        """The profile's fields; UnknownUser if there is none."""
        fields = self.rc.hgetall(f"user:{{{user_id}}}")
        if not fields:
            raise UnknownUser(_("no user with id {user!r}", user=user_id))
        return fields

    def grant(self, role: str, *permissions: str) -> None:
        """Let `role` do `permissions`."""
        self.rc.sadd(f"role:{{{role}}}:permissions", *permissions)

    def can(self, user_id: str, permission: str) -> bool:
        """True when one of the user's roles has `permission`."""
        roles = self.rc.smembers(f"user:{{{user_id}}}:roles")
        return any(self.rc.sismember(f"role:{{{role}}}:permissions", permission) for role in roles)

    # ---- sessions ---------------------------------------------------------------------------
    def log_in(self, user_id: str) -> str:
        """Open a session for a known user; return its token."""
        self.profile(user_id)
        token = secrets.token_urlsafe(16)
        key = f"session:{{{token}}}"
        pipe = self.rc.pipeline()  # one key: one slot, one node
        pipe.hset(key, mapping={"user": user_id, "since": int(time.time())})
        pipe.expire(key, self.ttl)
        pipe.execute()
        self.rc.zadd(self.ACTIVE, {token: time.time() + self.ttl})
        return token

    def user_of(self, token: str) -> str:
        """The session's user; using a session extends it by `ttl` (sliding expiration)."""
        key = f"session:{{{token}}}"
        user = self.rc.hget(key, "user")
        if user is None:
            self.rc.zrem(self.ACTIVE, token)
            raise SessionExpired(_("this session has expired or never existed: log in again"))
        self.rc.expire(key, self.ttl)
        self.rc.zadd(self.ACTIVE, {token: time.time() + self.ttl})
        return user

    def log_out(self, token: str) -> None:
        """End the session now."""
        self.rc.delete(f"session:{{{token}}}")
        self.rc.zrem(self.ACTIVE, token)

    def active_sessions(self) -> int:
        """Sessions alive now (expired ones are dropped from the count first)."""
        self.rc.zremrangebyscore(self.ACTIVE, "-inf", time.time())
        return self.rc.zcard(self.ACTIVE)

    # ---- likes and shares -------------------------------------------------------------------
    def like(self, user_id: str, item: str) -> bool:
        """Record a like; False (and nothing changed) if this user already liked this item."""
        if not self.rc.sadd(f"item:{{{item}}}:likes", user_id):
            return False
        self.rc.sadd(f"user:{{{user_id}}}:likes", item)
        self.rc.zincrby(self.LEADERBOARD, 1, item)
        return True

    def share(self, user_id: str, item: str) -> bool:
        """Record a share; False if this user already shared this item."""
        return bool(self.rc.sadd(f"item:{{{item}}}:shares", user_id))

    def likes_of(self, item: str) -> set[str]:
        """Who liked the item."""
        return self.rc.smembers(f"item:{{{item}}}:likes")

    def most_liked(self, count: int = 10) -> list[tuple[str, int]]:
        """(item, likes), the most liked first."""
        return [(item, int(score)) for item, score in
                self.rc.zrevrange(self.LEADERBOARD, 0, count - 1, withscores=True)]
