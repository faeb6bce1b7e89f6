"""Decrypting the ViewText streams of 배포용 (distribution) HWP documents.

Hangul stores the body of a distribution document encrypted in ViewText/SectionN. The stream opens
with a 256-byte HWPTAG_DISTRIBUTE_DOC_DATA record that hides an AES-128 key behind a mask drawn from
the MS Visual C `rand()` sequence; the rest is AES-128-ECB. Described in Hancom's "배포용 문서"
addendum and implemented in hwplib (Java, Apache-2.0), which this follows.
"""
from __future__ import annotations

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ingest.errors import CorruptDocument
from ingest.loaders.hwp5_records import DISTRIBUTE_DOC_DATA

_SEED_BYTES = 4
_DOC_DATA_SIZE = 256
_HEADER = 4


def _msvc_rand(seed: int):
    """The MSVC runtime's rand(): a 32-bit LCG whose output is bits 16..30 of the state."""
    state = seed
    while True:
        state = (state * 214013 + 2531011) & 0xFFFFFFFF
        yield (state >> 16) & 0x7FFF


def distribution_key(doc_data: bytes) -> bytes:
    """Unmask the 256-byte DISTRIBUTE_DOC_DATA payload and return the AES-128 key it holds."""
    data = bytearray(doc_data)
    rand = _msvc_rand(int.from_bytes(data[:_SEED_BYTES], "little"))
    mask = repeat = 0
    for i in range(_DOC_DATA_SIZE):
        # The mask byte is drawn first, then how many bytes it covers (1..16); the seed itself
        # (bytes 0..3) is not masked but still consumes the sequence.
        if repeat == 0:
            mask = next(rand) & 0xFF
            repeat = (next(rand) & 0x0F) + 1
        if i >= _SEED_BYTES:
            data[i] ^= mask
        repeat -= 1
    offset = _SEED_BYTES + (data[0] & 0x0F)
    return bytes(data[offset:offset + 16])


def decrypt_view_text(stream: bytes, name: str, what: str) -> bytes:
    """Return the decrypted (still compressed, if the document is) record stream of a ViewText section."""
    if len(stream) < _HEADER + _DOC_DATA_SIZE:
        raise CorruptDocument(name, f"{what} is too short to be a distribution-document stream")
    header = int.from_bytes(stream[:_HEADER], "little")
    if header & 0x3FF != DISTRIBUTE_DOC_DATA or header >> 20 != _DOC_DATA_SIZE:
        raise CorruptDocument(name, f"{what} does not start with the distribution key record")
    key = distribution_key(stream[_HEADER:_HEADER + _DOC_DATA_SIZE])
    body = stream[_HEADER + _DOC_DATA_SIZE:]
    body = body[: len(body) // 16 * 16]  # ECB works on whole blocks; a ragged tail is padding
    decryptor = Cipher(algorithms.AES(key), modes.ECB()).decryptor()
    return decryptor.update(body) + decryptor.finalize()
