"""What leaves and enters the program: the interchange document, Excel, the signed USB package
(``.bdp``) and its keys, resubmission differences, the year roll-over, 上年数 and official code lists."""
