"""Django OAuth Toolkit test server for baton's interop tests. See README.md.

stdout carries exactly one line, `READY <issuer>`, once the port listens; everything else
goes to stderr. It exits 0 on SIGTERM, SIGINT, or when its stdin closes (unless
IGNORE_STDIN=1), deleting its sqlite database.
"""

import os
import shutil
import signal
import sys
import threading
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ["DJANGO_SETTINGS_MODULE"] = "dotsite.settings"
_own_db = not os.environ.get("DOT_DB")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from oauth2_provider.models import get_application_model  # noqa: E402

REDIRECT_URI = "http://127.0.0.1:8765/callback"

USERS = [
    # username, password, first name, last name, email
    ("alice", "wonderland", "Alice", "Liddell", "alice@example.com"),
    ("bob", "builder", "Bob", "the Builder", "bob@example.com"),
]


def clients():
    A = get_application_model()
    confidential, public = A.CLIENT_CONFIDENTIAL, A.CLIENT_PUBLIC
    code, password, cc = A.GRANT_AUTHORIZATION_CODE, A.GRANT_PASSWORD, A.GRANT_CLIENT_CREDENTIALS
    # client_id, secret, client type, grant, skip the consent page
    return [
        ("dot-password", "password-secret", confidential, password, False),
        ("dot-cc", "cc-secret", confidential, cc, False),
        ("dot-code", "code-secret", confidential, code, False),
        ("dot-code-skip", "skip-secret", confidential, code, True),
        ("dot-public", "", public, code, False),
        ("dot-special", "s3cr+t/with:special&chars=", confidential, cc, False),
    ]


def log(message):
    print(message, file=sys.stderr, flush=True)


def seed():
    call_command("migrate", interactive=False, verbosity=0, run_syncdb=True)
    User = get_user_model()
    for username, password, first, last, email in USERS:
        User.objects.create_user(username, email, password, first_name=first, last_name=last)
    A = get_application_model()
    for client_id, secret, client_type, grant, skip in clients():
        # The plain secret is set before save: DOT hashes it as it saves (hash_client_secret).
        A.objects.create(
            name=client_id,
            client_id=client_id,
            client_secret=secret,
            client_type=client_type,
            authorization_grant_type=grant,
            redirect_uris=REDIRECT_URI if grant == A.GRANT_AUTHORIZATION_CODE else "",
            skip_authorization=skip,
            algorithm=A.RS256_ALGORITHM,
        )


def main():
    db_dir = os.path.dirname(settings.DATABASES["default"]["NAME"])

    def stop(why):
        try:
            log(f"stopping: {why}")
        except OSError:
            pass  # stderr's reader is gone too (the test process died)
        finally:
            if _own_db:
                shutil.rmtree(db_dir, ignore_errors=True)
            os._exit(0)

    signal.signal(signal.SIGTERM, lambda *_: stop("SIGTERM"))
    signal.signal(signal.SIGINT, lambda *_: stop("SIGINT"))

    seed()
    try:
        httpd = ThreadedWSGIServer(("127.0.0.1", int(os.environ.get("PORT") or 0)), WSGIRequestHandler)
    except OSError as e:
        log(f"cannot listen on 127.0.0.1:{os.environ.get('PORT')}: {e}")
        if _own_db:
            shutil.rmtree(db_dir, ignore_errors=True)
        sys.exit(1)
    httpd.set_app(get_wsgi_application())
    port = httpd.server_address[1]
    sys.stdout.write(f"READY http://127.0.0.1:{port}/o\n")
    sys.stdout.flush()

    if os.environ.get("IGNORE_STDIN") != "1":

        def watch_stdin():
            try:
                while sys.stdin.buffer.read1(65536):
                    pass
            except (OSError, ValueError):
                pass
            stop("stdin closed")

        threading.Thread(target=watch_stdin, daemon=True).start()
    httpd.serve_forever()


if __name__ == "__main__":
    main()
