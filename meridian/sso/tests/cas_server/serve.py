"""Start the test CAS server: migrate its database, create the users of the users file, serve HTTP.

Run as ``python -m meridian.sso.tests.cas_server.serve``; prints ``PORT <n>`` once it listens on 127.0.0.1.
"""

import os
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "meridian.sso.tests.cas_server.settings"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    from meridian.sso.tests.cas_server.callbacks import load_users

    call_command("migrate", verbosity=0, interactive=False)
    user_model = get_user_model()
    for username, entry in load_users().items():
        user_model.objects.create_user(username=username, password=entry["password"])
    server = make_server(
        "127.0.0.1", 0, get_wsgi_application(), server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    print(f"PORT {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
