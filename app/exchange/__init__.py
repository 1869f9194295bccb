"""What leaves and enters the program: the interchange document, Excel, the signed USB package
(``.bdp``: app.exchange.package) and its keys, the difference of two documents and their parts
(document_diff, document_parts), 批注 as they travel (comment_document), the year roll-over, 上年数 and
official code lists."""
