#!/usr/bin/env python3
# vectors.py - recomputes the hub test vectors of engine/PROTOCOL.md
# (section 5.9) with an implementation that shares no code with meshub:
# Python's hashlib (BLAKE2b) and the "cryptography" package (Ed25519,
# X25519, ChaCha20-Poly1305). Not part of make check (it needs
# python3-cryptography); tests/test-hub-wire.c pins the same bytes.
import hashlib, struct
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives import serialization as S
raw=lambda k: k.public_bytes(S.Encoding.Raw, S.PublicFormat.Raw)
psk=bytes(range(0,32)); static=bytes(range(0x20,0x40)); hubpriv=bytes(range(0x40,0x60))
seed=hashlib.blake2b(b"", digest_size=32, key=psk, person=b"meshub5 net-sign").digest()
sk=Ed25519PrivateKey.from_private_bytes(seed); spub=raw(sk.public_key())
print("sign_pub", spub.hex())
netid=hashlib.blake2b(spub, digest_size=16, person=b"meshub5 net-id..").digest(); print("netid", netid.hex())
hk=hashlib.blake2b(netid, digest_size=32, key=static, person=b"meshub5 hub-key.").digest()
hkp=X25519PrivateKey.from_private_bytes(hk); hpub=raw(hkp.public_key()); print("hubkey", hpub.hex())
nodeid=hashlib.blake2b(hpub, digest_size=16, person=b"meshub5 hub-node").digest(); print("nodeid", nodeid.hex())
cert=sk.sign(b"meshub5 member.."+netid+hpub); print("cert", cert.hex())
hp=X25519PrivateKey.from_private_bytes(hubpriv); hubpub=raw(hp.public_key()); print("hub", hubpub.hex())
dh=hkp.exchange(X25519PublicKey.from_public_bytes(hubpub))
ts=0x17d3b0c4a5e6f708
k=hashlib.blake2b(hubpub+hpub+netid+struct.pack(">Q",ts), digest_size=64, key=dh, person=b"meshub5 hub-sess").digest()
up,down=k[:32],k[32:]; print("up", up.hex()); print("down", down.hex())
def nonce(n): return b"\0"*4+struct.pack("<Q",n)
join=bytes.fromhex("6201003c0003000001020304050607080000000000000000")
join=bytes([0x62,0x01,0x00,0x3c,0x00,0x03,0,0])+struct.pack(">QQ",0x0102030405060708,ts)+bytes(range(0xa0,0xb0))+hubpub+spub+hpub+cert+bytes(12)+b"abc"
tag=ChaCha20Poly1305(up).encrypt(nonce(0), b"", join)
print("join", (join+tag).hex())
ref=bytes([0x63,0x01,0x00,0x3c,0x00,0x03,0,0])+struct.pack(">QQ",0x0102030405060709,1)+bytes(range(0xa0,0xb0))+netid+nodeid+struct.pack(">IQ",0x11223344,2)+b"abc"
print("refresh", (ref+ChaCha20Poly1305(up).encrypt(nonce(1), b"", ref)).hex())
hdr=bytes([0x64,0x04,0,0])+struct.pack(">QQ",0x0102030405060708,1)
body=struct.pack(">IQQH",0x11223344,0,2,2)+bytes(range(0xb0,0xc0))+bytes([4])+struct.pack(">H",40000)+bytes([198,18,1,1])
body+=bytes([1])+bytes(range(0xc0,0xd0))+bytes([4])+struct.pack(">H",40001)+bytes([198,18,2,2])+struct.pack(">H",2)+b"xy"
body+=bytes([2])+bytes(range(0xd0,0xe0))
print("list", (hdr+ChaCha20Poly1305(down).encrypt(nonce(1), body, hdr)).hex())
