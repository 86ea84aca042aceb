"""Settings of the DOT interop server (see ../README.md).

Everything a run needs is made at import: a random SECRET_KEY, a fresh 2048-bit RSA key
for id_tokens, and (unless DOT_DB names one) a sqlite file in a temporary directory.
"""

import os
import secrets
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

HERE = Path(__file__).resolve().parent

SECRET_KEY = secrets.token_urlsafe(50)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "oauth2_provider",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "dotsite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE.parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if not os.environ.get("DOT_DB"):
    os.environ["DOT_DB"] = os.path.join(tempfile.mkdtemp(prefix="baton-dot-"), "db.sqlite3")
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["DOT_DB"],
        "OPTIONS": {
            # Several requests at once (the server is threaded) wait for sqlite's write lock.
            "timeout": 20,
            # A throwaway database: no fsync, and readers do not block the writer.
            "init_command": "PRAGMA synchronous=OFF; PRAGMA journal_mode=WAL",
            # A transaction takes the write lock when it begins, so two token requests at
            # once wait for each other instead of failing with "database is locked".
            "transaction_mode": "IMMEDIATE",
        },
    }
}
# Tests speed only: the tables are made straight from the models (`migrate --run-syncdb`,
# as Django's test runner does for apps without migrations) in 0.1 s instead of 2 s of
# migrations. On an empty database the two give the same schema: the migrations' data
# steps (hashing stored secrets, token checksums) have no rows to change.
MIGRATION_MODULES = {app: None for app in ["auth", "contenttypes", "sessions", "messages", "oauth2_provider"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Tests speed only: DOT stores client secrets hashed with the first hasher here, and checks
# one at every token, introspection and revocation request. The default (PBKDF2, a million
# rounds) costs about half a second each; MD5 makes it free. What DOT does is unchanged.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/accounts/login/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
STATIC_URL = "/static/"


def _rsa_pem():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _rsa_pem(),
    "SCOPES": {
        "openid": "OpenID Connect",
        "profile": "Your name and username",
        "email": "Your email address",
        "read": "Read access",
        "write": "Write access",
    },
    "PKCE_REQUIRED": True,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("ACCESS_TOKEN_TTL") or 36000),
    # Profile and email claims (userinfo, id_tokens) for the scopes that ask for them.
    "OAUTH2_VALIDATOR_CLASS": "dotsite.claims.ClaimsValidator",
}

# Everything to stderr: stdout carries only the server's READY line.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "[{name}] {levelname} {message}", "style": "{"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "plain"}
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "django.server": {"handlers": ["stderr"], "level": os.environ.get("DOT_ACCESS_LOG", "INFO"), "propagate": False},
        "oauth2_provider": {"handlers": ["stderr"], "level": os.environ.get("DOT_LOG", "INFO"), "propagate": False},
        "oauthlib": {"handlers": ["stderr"], "level": os.environ.get("DOT_LOG", "INFO"), "propagate": False},
    },
}
