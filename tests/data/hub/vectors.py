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
# CA networks (section 5.11): the CA of section 12's golden bytes (seed 00..1f)
capub=raw(Ed25519PrivateKey.from_private_bytes(bytes(range(0,32))).public_key()); print("ca_pub", capub.hex())
canet=hashlib.blake2b(spub+capub, digest_size=16, person=b"meshub5 ca-netid").digest(); print("ca netid", canet.hex())
hk2=hashlib.blake2b(canet, digest_size=32, key=static, person=b"meshub5 hub-key.").digest()
hkp2=X25519PrivateKey.from_private_bytes(hk2); hpub2=raw(hkp2.public_key()); print("ca hubkey", hpub2.hex())
nodeid2=hashlib.blake2b(hpub2, digest_size=16, person=b"meshub5 hub-node").digest(); print("ca nodeid", nodeid2.hex())
cert2=sk.sign(b"meshub5 member.."+canet+hpub2); print("ca cert", cert2.hex())
dh2=hkp2.exchange(X25519PublicKey.from_public_bytes(hubpub))
k2=hashlib.blake2b(hubpub+hpub2+canet+struct.pack(">Q",ts), digest_size=64, key=dh2, person=b"meshub5 hub-sess").digest()
up2,down2=k2[:32],k2[32:]; print("ca up", up2.hex()); print("ca down", down2.hex())
join2=bytes([0x62,0x03,0x00,0x3c,0x00,0x03,0,0])+struct.pack(">QQ",0x0102030405060708,ts)+bytes(range(0xa0,0xb0))+hubpub+spub+hpub2+cert2+bytes(12)+capub+b"abc"
print("ca join", (join2+ChaCha20Poly1305(up2).encrypt(nonce(0), b"", join2)).hex())
get=bytes([0x65,0,0,0,0,0,0x01,0x00])+struct.pack(">QQ",0x010203040506070a,2)+bytes(range(0xa0,0xb0))+canet+nodeid2+struct.pack(">Q",3)
print("crl_get", (get+ChaCha20Poly1305(up2).encrypt(nonce(2), b"", get)).hex())
put=bytes([0x66,0,0x00,0x05,0x01,0x2c,0x01,0x00])+struct.pack(">QQ",0x010203040506070b,3)+bytes(range(0xa0,0xb0))+canet+nodeid2+struct.pack(">Q",3)+bytes([1,2,3,4,5])
print("crl_put", (put+ChaCha20Poly1305(up2).encrypt(nonce(3), b"", put)).hex())
hdr=bytes([0x67,0,0,0])+struct.pack(">QQ",0x010203040506070a,2)
body=bytes([1,0])+struct.pack(">QHHH",3,300,256,5)+bytes([1,2,3,4,5])
print("crl page", (hdr+ChaCha20Poly1305(down2).encrypt(nonce(2), body, hdr)).hex())
hdr=bytes([0x67,0,0,0])+struct.pack(">QQ",0x010203040506070b,3)
body=bytes([2,0])+struct.pack(">QHHH",3,300,261,0)
print("crl next", (hdr+ChaCha20Poly1305(down2).encrypt(nonce(3), body, hdr)).hex())
hdr=bytes([0x64,0x14,0,0])+struct.pack(">QQ",0x0102030405060708,1)
body=struct.pack(">IQQH",0x11223344,0,0,0)+bytes(range(0xb0,0xc0))+bytes([4])+struct.pack(">H",40000)+bytes([198,18,1,1])+struct.pack(">Q",7)
print("ca list", (hdr+ChaCha20Poly1305(down2).encrypt(nonce(1), body, hdr)).hex())
