import urllib.request

import pytest

from vollegym.core.signing import SignatureError, sign_generic, verify_generic_signature
from vollegym.outbound import client
from vollegym.outbound.receiver import Receiver


def _post(base: str, body: bytes, headers: dict[str, str]) -> client.Outcome:
    return client.post(f"{base}/hook", body, {"X-Vollegym-Event": "lead.captured", **headers})


def test_the_demo_receiver_takes_a_signed_delivery_and_refuses_forged_ones(settings):
    receiver = Receiver("whsec_test")
    server = receiver.serve("127.0.0.1", 0)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    body = b'{"id": 7, "type": "lead.captured"}'
    signed = sign_generic(body, "whsec_test", delivery="d-1")
    try:
        good = _post(base, body, {"X-Vollegym-Signature": signed, "X-Vollegym-Delivery": "d-1"})
        outcomes = [
            # another secret
            _post(
                base,
                body,
                {
                    "X-Vollegym-Signature": sign_generic(body, "raden", delivery="d-1"),
                    "X-Vollegym-Delivery": "d-1",
                },
            ),
            # a captured body and signature under a new delivery id, to get past the receiver's deduplication
            _post(base, body, {"X-Vollegym-Signature": signed, "X-Vollegym-Delivery": "d-2"}),
            # the id left out
            _post(base, body, {"X-Vollegym-Signature": signed}),
            # signed the inbound way, over the body alone
            _post(
                base,
                body,
                {
                    "X-Vollegym-Signature": sign_generic(body, "whsec_test"),
                    "X-Vollegym-Delivery": "d-1",
                },
            ),
        ]
        with urllib.request.urlopen(f"{base}/") as response:  # noqa: S310 - our own server, plain HTTP
            page = response.read().decode()
    finally:
        server.shutdown()
    assert good.status == 200 and [o.status for o in outcomes] == [401, 401, 401, 401]
    assert [r.signature for r in receiver.received][-1] == "valid"
    assert all(r.signature.startswith("refused") for r in list(receiver.received)[:-1])
    assert "X-Vollegym-Delivery" in receiver.received[1].signature  # the one without the id says why
    assert "lead.captured" in page and "d-1" in page and "valid" in page


def test_the_delivery_id_is_part_of_what_is_signed():
    body = b'{"a":1}'
    header = sign_generic(body, "whsec_x", timestamp=1_800_000_000, delivery="3f1c-9a")
    verify_generic_signature(header, body, "whsec_x", now=1_800_000_000, delivery="3f1c-9a")
    for other in ("3f1c-9b", None):
        with pytest.raises(SignatureError):
            verify_generic_signature(header, body, "whsec_x", now=1_800_000_000, delivery=other)


@pytest.mark.parametrize(
    "delivery",
    [
        "3f1c.{",  # a dot would let part of the body move into the header under the same signature
        "",
        "d\x00",
        "d\ud800",
        "é",
        "a" * 65,
    ],
)
def test_a_delivery_id_that_could_blur_the_signed_text_is_refused(delivery):
    header = sign_generic(b"x", "whsec_x", timestamp=1_800_000_000, delivery="ok")
    with pytest.raises(SignatureError, match="X-Vollegym-Delivery"):
        verify_generic_signature(header, b"x", "whsec_x", now=1_800_000_000, delivery=delivery)


def test_moving_the_start_of_the_body_into_the_delivery_id_does_not_keep_the_signature():
    header = sign_generic(b'abc.{"id":1}', "whsec_x", timestamp=1_800_000_000, delivery="d")
    with pytest.raises(SignatureError):
        verify_generic_signature(header, b'{"id":1}', "whsec_x", now=1_800_000_000, delivery="d.abc")
