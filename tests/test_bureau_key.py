"""`budgetdesk bureau-key`: the fingerprint the bureau prints on the year's task notice (issue 27)."""

from __future__ import annotations

import json

from app.exchange import signing
from tests.conftest import run


def test_bureau_key_creates_the_key_once_and_prints_its_fingerprint(key_dir, capsys):
    code, out, err = run(capsys, "bureau-key")
    assert code == 0
    printed = out.strip()
    assert "已为财政局生成签名密钥" in err
    key_file = signing.bureau_key_path()
    assert key_file.parent == key_dir and key_file.exists()
    # The printed text is the fingerprint of the key that signs the bureau's files.
    assert printed == signing.fingerprint(signing.public_raw(signing.bureau_key().public_key()))
    assert signing.normalize_fingerprint(printed) == printed

    code, out, err = run(capsys, "bureau-key", "--json")
    assert code == 0 and err == ""
    assert json.loads(out) == {"fingerprint": printed, "created": False}
