#!/usr/bin/env python3
"""Rewrites the payload of a packed executable (packer/payload.h) for the
tamper tests in tests/pack/run.sh: changes a part, then recomputes sizes and
checksums so that only the intended damage remains.

  payload.py bundle-count FILE N   set the bundle's entry count to N
  payload.py bundle-name FILE      put a '/' into the first bundled name
"""
import struct
import sys
import zlib

TRAILER = 64


def read(path):
    b = open(path, 'rb').read()
    t = b[-TRAILER:]
    assert t[56:] == b'FERRYPK\x1a', 'not a packed executable'
    (version, flags, psize, csize, mz, msize, bz, bsize, crc, tsize, _r,
     tcrc) = struct.unpack('<IIQIIIIQIIII', t[:56])
    start = len(b) - TRAILER - psize
    cfg = b[start:start + csize]
    zmod = b[start + csize:start + csize + mz]
    zb = b[start + csize + mz:start + csize + mz + bz]
    return b[:start], flags, cfg, zmod, msize, zlib.decompress(zb) if bz else b''


def write(path, stub, flags, cfg, zmod, msize, bundle):
    zb = zlib.compress(bundle, 9) if bundle else b''
    body = cfg + zmod + zb
    pad = (-(len(stub) + len(body) + TRAILER)) % 8
    body += b'\0' * pad
    t = struct.pack('<IIQIIIIQIII', 1, flags, len(body), len(cfg), len(zmod),
                    msize, len(zb), len(bundle), zlib.crc32(body), TRAILER, 0)
    t += struct.pack('<I', zlib.crc32(t)) + b'FERRYPK\x1a'
    open(path, 'wb').write(stub + body + t)


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    stub, flags, cfg, zmod, msize, bundle = read(path)
    bundle = bytearray(bundle)
    if cmd == 'bundle-count':
        bundle[8:12] = struct.pack('<I', int(sys.argv[3]))
    elif cmd == 'bundle-name':
        off, length = struct.unpack('<II', bundle[16 + 32 + 8:16 + 32 + 16])
        bundle[off] = ord('/')
    else:
        sys.exit('unknown command ' + cmd)
    write(path, stub, flags, cfg, zmod, msize, bytes(bundle))


main()
