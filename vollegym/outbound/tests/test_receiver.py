import urllib.request

from vollegym.core.signing import sign_generic
from vollegym.outbound import client
from vollegym.outbound.receiver import Receiver


def test_the_demo_receiver_takes_a_signed_delivery_and_refuses_a_forged_one(settings):
    receiver = Receiver("whsec_test")
    server = receiver.serve("127.0.0.1", 0)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        body = b'{"id": 7, "type": "lead.captured"}'
        good = client.post(f"{base}/hook", body, {
            "X-Vollegym-Signature": sign_generic(body, "whsec_test"), "X-Vollegym-Event": "lead.captured",
            "X-Vollegym-Delivery": "d-1",
        })  # fmt: skip
        forged = client.post(f"{base}/hook", body, {"X-Vollegym-Signature": sign_generic(body, "raden")})
        with urllib.request.urlopen(f"{base}/") as response:  # noqa: S310 - our own server, plain HTTP
            page = response.read().decode()
    finally:
        server.shutdown()
    assert good.status == 200 and forged.status == 401
    assert [r.signature for r in receiver.received][1] == "valid"
    assert receiver.received[0].signature.startswith("refused")
    assert "lead.captured" in page and "d-1" in page and "valid" in page
