"""The USB data package (``.bdp``): one unit's budget for one year, signed, as handed to the bureau.

A package is a zip of exactly these members::

    manifest.json   format version, program version, unit, year, created (UTC), status, editions,
                    and the SHA-256 and size of every other member
    signature.json  Ed25519 signature over the manifest bytes, with the raw public key
    dataset.json    the interchange document (app.exchange.interchange, with 说明 and 情况说明 edits)
    audit.json      the audit trail of the dataset
    findings.json   the 审核 findings when it was packed
    budget.pdf      the printed document (its cover and 批复表 carry the key's fingerprint)

Its jobs, one module each:

* ``spec``   — the format: member names, size bounds, versions, digests, the file name;
* ``writer`` — packing a dataset (the clerk's 导出数据包 / 上报);
* ``reader`` — reading a package and verifying it completely before anything is looked at;
* ``trust``  — the unit keys the bureau trusts, and the confirmation of a key seen for the first time.

Receiving a verified package (the bureau's import, overview and 退回) is ``app.bureau.intake``.
"""
