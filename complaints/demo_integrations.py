"""Demo data of the integrations: Open311 clients (called from complaints/demo.py). Safe to run twice."""

from complaints.models import Open311Client

# Fixed demo keys, so the README's curl examples work on a fresh `make run`. Never used in production:
# real keys are issued in the admin.
CLIENTS = [
    ("泉州市 12345 政务服务便民热线平台", "demo-12345-platform-key"),
    ("泉港区“i泉港”小程序", "demo-iquangang-miniapp-key"),
]


def seed(stdout) -> None:
    for name, key in CLIENTS:
        Open311Client.objects.get_or_create(api_key=key, defaults={"name": name})
    stdout.write(f"  Open311 clients: {len(CLIENTS)} (api_key {CLIENTS[0][1]})")
