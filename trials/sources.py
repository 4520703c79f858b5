"""Read ClinicalTrials.gov study objects from files, streaming, in every format met in the wild.

`iter_paths(paths)` yields Item(source, position, study) for each study, or an
Item with `error` set where the input is malformed; it never holds more than
one study (plus a read buffer) in memory. With deferred=True, the lines of a
JSON Lines file come undecoded (Item.text), for parallel importers to decode in
their workers (`decoded`). Formats: one study object, an API page
`{"studies": [...]}`, a JSON array, JSON Lines, gzip of any of these, the bulk
ZIP of one JSON file per study, and directories of such files.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

CHUNK = 1 << 20
# The most memory one record may take while it is read (a Python string takes 1, 2 or
# 4 bytes a character, so this counts bytes, not characters).
MAX_RECORD_BYTES = 64 << 20
# A record that does not end in the buffer is read on in growing reads, up to this many
# characters at a time: the buffer never passes the limit by more than one read.
MAX_READ = 8 << 20
_WS = re.compile(r"[ \t\r\n]*")
_STUDIES_KEY = re.compile(r'\{[ \t\r\n]*"studies"[ \t\r\n]*:[ \t\r\n]*\[')


def _not_json(name: str):
    # Python's json reads NaN and Infinity, which JSON (and PostgreSQL's jsonb) has not.
    raise json.JSONDecodeError(f"{name} is not a JSON value", name, 0)


_decoder = json.JSONDecoder(parse_constant=_not_json)
_CONSTANT = re.compile(r"[:,\[][ \t\r\n]*(NaN|-?Infinity)\b")


@dataclass
class Item:
    source: str
    position: str
    study: Any = None
    error: str | None = None
    text: str | None = None  # JSON not decoded yet (deferred=True), from `line` of its file
    line: int = 1
    whole_file: bool = False  # `text` is a whole file, not a line of one


def _studies_of(source: str, position: str, value: Any) -> Iterator[Item]:
    """A decoded top-level value: one study, or an API page of them."""
    if isinstance(value, dict) and isinstance(value.get("studies"), list):
        for index, study in enumerate(value["studies"]):
            yield Item(source, f"{position}, study {index + 1}", study)
    else:
        yield Item(source, position, value)


_LINE = re.compile(r"\bline (\d+)")


def decoded(items: Iterable[Item]) -> Iterator[Item]:
    """The items with every deferred text decoded, as the file reader would have."""
    for item in items:
        if item.text is None:
            yield item
            continue
        try:
            value = _decoder.decode(item.text)
        except (ValueError, RecursionError):
            # Not exactly one JSON value: read it as the file reader does, which reports
            # what is wrong (or finds several values), with lines counted from the file's.
            def moved(
                text: str, shift: int = item.line - 1, line: bool = not item.whole_file
            ) -> str:
                if line:  # a line of JSON Lines: the file goes on after it
                    text = text.replace(
                        "the file ends in the middle", "the line ends in the middle"
                    )
                return _LINE.sub(lambda m: f"line {int(m.group(1)) + shift}", text)

            for found in iter_text(io.StringIO(item.text), item.source):
                found.position = moved(found.position)
                found.error = found.error and moved(found.error)
                yield found
            continue
        yield from _studies_of(item.source, item.position, value)


class MalformedJSON(ValueError):
    pass


class TooLarge(Exception):
    """An upload that holds more than its allowance once uncompressed."""


class Allowance:
    """How many more uncompressed bytes one upload may hold (a file, or a ZIP's members)."""

    def __init__(self, limit: int | None):
        self.limit = limit
        self.left = limit

    def spend(self, size: int) -> None:
        if self.left is None:
            return
        self.left -= size
        if self.left < 0:
            raise TooLarge(
                f"the file holds more than {self.limit >> 20} MB once uncompressed: "
                "import it with manage.py import_ctgov"
            )


class Metered(io.RawIOBase):
    """A binary stream that spends an Allowance on what is read from it."""

    def __init__(self, raw: IO[bytes], allowance: Allowance):
        self.raw, self.allowance = raw, allowance

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        self.allowance.spend(len(data))
        buffer[: len(data)] = data
        return len(data)


class JSONStream:
    """Decode JSON values one at a time from a text stream with a bounded buffer.

    Hand-written rather than ijson: an import reports a malformed record by its line
    and NCT ID and goes on with the next one, and ijson neither counts lines nor
    recovers once it has met an error (the rest of the file would be lost)."""

    def __init__(self, fp: IO[str]):
        self.fp = fp
        self.buf = ""
        self.pos = 0
        self.eof = False
        # Line counting is incremental: newlines before `counted_to` are in `lines`.
        self.lines = 1
        self.counted_to = 0

    @property
    def line(self) -> int:
        self._count_lines()
        return self.lines

    def _count_lines(self) -> None:
        if self.pos > self.counted_to:
            self.lines += self.buf.count("\n", self.counted_to, self.pos)
            self.counted_to = self.pos

    def _fill(self, size: int | None = None) -> bool:
        if self.eof:
            return False
        if self.pos > CHUNK:
            self._count_lines()  # before dropping what was read
            self.buf = self.buf[self.pos :]
            self.counted_to -= self.pos
            self.pos = 0
        chunk = self.fp.read(size or CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def peek(self) -> str:
        """The next non-blank character ('' at the end), without consuming it."""
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            found = self.peek() or "the end of the file"
            raise MalformedJSON(f"expected {char!r} at line {self.line}, found {found!r}")
        self.pos += 1

    def startswith(self, pattern: re.Pattern) -> re.Match | None:
        self.peek()
        while len(self.buf) - self.pos < 256 and self._fill():
            pass
        match = pattern.match(self.buf, self.pos)
        if match:
            self.pos = match.end()
        return match

    def _too_large(self) -> bool:
        return sys.getsizeof(self.buf) > MAX_RECORD_BYTES

    def value(self) -> Any:
        self.peek()
        size = CHUNK
        while True:
            try:
                value, end = _decoder.raw_decode(self.buf, self.pos)
                self.pos = end
                return value
            except RecursionError:
                raise MalformedJSON(f"nested too deeply (line {self.line})") from None
            except json.JSONDecodeError as exc:
                # An error near the end of the buffer may be a token cut by the read (`tru|e`,
                # `\u00|e9`): read more and try again; a real error stays where it is.
                if exc.doc is not self.buf:  # _not_json: NaN or Infinity, somewhere here
                    found = _CONSTANT.search(self.buf, self.pos)
                    exc.pos = found.start(1) if found else self.pos
                truncated = exc.pos >= len(self.buf) - 16 or exc.msg.startswith("Unterminated")
                if not truncated or self.eof:
                    if truncated:  # and nothing more to read
                        raise MalformedJSON(
                            f"the file ends in the middle of a record (line {self.line})"
                        ) from None
                    at = self.line + self.buf.count("\n", self.pos, exc.pos)
                    raise MalformedJSON(f"{exc.msg} (line {at})") from None
                if self._too_large():
                    raise MalformedJSON(
                        f"a record larger than {MAX_RECORD_BYTES >> 20} MB"
                    ) from None
                self._fill(size)
                size = min(size * 2, MAX_READ)

    def whole_line(self) -> str | None:
        """The text up to the next newline when it looks like one whole JSON object
        (it ends with "}"), consumed; else None, and nothing is consumed.

        Only for files whose first value fit on one line (JSON Lines). A record that
        goes on past a line ending in "}" would then be reported as malformed; JSON
        writers do not break lines there.
        """
        newline = self._line_end()
        if newline is None or not self._closes(newline):
            return None
        text = self.buf[self.pos : newline]
        self.pos = newline + 1
        return text

    def first_line_closes(self) -> bool:
        """Whether the line the next value starts on ends with "}" (the file's end may end
        it): a JSON Lines record, after which reading can resume when it is malformed."""
        newline = self._line_end()
        return self._closes(len(self.buf) if newline is None else newline)

    def _line_end(self) -> int | None:
        """Where the newline ending the current line is, reading on as needed; None when
        the file (or the longest record read) ends first."""
        while (newline := self.buf.find("\n", self.pos)) < 0:
            if self._too_large() or not self._fill():
                return None
        return newline

    def _closes(self, end: int) -> bool:
        return self.buf[self.pos : end].rstrip().endswith("}")

    def skip_line(self) -> None:
        """Resume after the line where the current value started (JSON Lines recovery)."""
        while True:
            newline = self.buf.find("\n", self.pos)
            if newline >= 0:
                self.pos = newline + 1
                return
            self.pos = len(self.buf)
            if not self._fill():
                return


def _studies_in_page(stream: JSONStream, source: str, page_no: int) -> Iterator[Item]:
    """The rest of an API page after '{"studies": [': each study, then the other keys."""
    index = 0
    if stream.peek() != "]":
        while True:
            line = stream.line
            yield Item(source, f"page {page_no}, study {index + 1} (line {line})", stream.value())
            index += 1
            if stream.peek() == ",":
                stream.pos += 1
                continue
            stream.expect("]")
            break
    else:
        stream.pos += 1
    while stream.peek() == ",":  # nextPageToken, totalCount: not needed
        stream.pos += 1
        stream.value()
        stream.expect(":")
        stream.value()
    stream.expect("}")


def iter_text(fp: IO[str], source: str, deferred: bool = False) -> Iterator[Item]:
    stream = JSONStream(fp)
    first = stream.peek()
    if first == "":
        yield Item(source, "line 1", error="the file is empty")
        return
    if first == "[":
        yield from _iter_array(stream, source)
        return
    if first != "{":
        yield Item(
            source,
            f"line {stream.line}",
            error="not JSON: expected a study object, an API page or a JSON array",
        )
        return
    # One object, an API page, or JSON Lines: a sequence of top-level values.
    number = 0
    one_per_line = False  # JSON Lines: a value was seen to fit on its line
    while stream.peek():
        number += 1
        line = stream.line
        if stream.startswith(_STUDIES_KEY):
            try:
                yield from _studies_in_page(stream, source, number)
            except MalformedJSON as exc:
                yield _gave_up(source, f"page {number}", exc)
                return
            continue
        if deferred and one_per_line and stream.peek() == "{":
            text = stream.whole_line()
            if text is not None:
                yield Item(source, f"line {line}", text=text, line=line)
                continue
        try:
            value = stream.value()
        except MalformedJSON as exc:
            # (The stream is still where the value starts.) A record over many lines: where
            # would the next one start?
            if not (one_per_line or stream.first_line_closes()):
                yield _gave_up(source, f"line {line}", exc)
                return
            yield Item(source, f"line {line}", error=f"malformed JSON: {exc}")
            stream.skip_line()
            continue
        one_per_line = one_per_line or stream.line == line
        yield from _studies_of(source, f"line {line}", value)


def _iter_array(stream: JSONStream, source: str) -> Iterator[Item]:
    index = 0
    try:
        stream.expect("[")
        if stream.peek() == "]":
            return
        while True:
            line = stream.line
            index += 1
            yield Item(source, f"item {index} (line {line})", stream.value())
            if stream.peek() == ",":
                stream.pos += 1
                continue
            stream.expect("]")
            return
    except MalformedJSON as exc:
        yield _gave_up(source, f"item {index} (line {stream.line})", exc)


def _gave_up(source: str, position: str, exc: MalformedJSON) -> Item:
    """The problem of a malformed value after which the file cannot be read on."""
    return Item(
        source, position, error=f"malformed JSON: {exc}; the rest of this file was not read"
    )


def _open_text(raw: IO[bytes]) -> IO[str]:
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict")


def iter_file(path: Path, deferred: bool = False, max_bytes: int | None = None) -> Iterator[Item]:
    """The studies in one file; with max_bytes, reading stops (one problem) once the
    file has given that many bytes uncompressed: an upload cannot be a gzip bomb."""
    source = str(path)
    allowance = Allowance(max_bytes)
    try:
        with open(path, "rb") as raw:
            magic = raw.read(4)
            raw.seek(0)
            if magic.startswith(b"PK\x03\x04") or magic.startswith(b"PK\x05\x06"):
                yield from _iter_zip(raw, source, deferred, allowance)
            elif magic.startswith(b"\x1f\x8b"):
                text = _open_text(_metered(gzip.GzipFile(fileobj=raw), allowance))
                yield from _guard(iter_text(text, source, deferred), source)
            else:
                text = _open_text(_metered(raw, allowance))
                yield from _guard(iter_text(text, source, deferred), source)
    except TooLarge as exc:
        yield Item(source, "", error=str(exc))
    except OSError as exc:
        yield Item(source, "", error=f"cannot read the file: {exc.strerror or exc}")


def _metered(raw: IO[bytes], allowance: Allowance) -> IO[bytes]:
    if allowance.limit is None:
        return raw
    return io.BufferedReader(Metered(raw, allowance))


def _guard(items: Iterator[Item], source: str) -> Iterator[Item]:
    """Turn decoding failures of the container (bad gzip, not UTF-8) into reported errors."""
    try:
        yield from items
    except UnicodeDecodeError:
        yield Item(source, "", error="not a text file (it is not UTF-8): not JSON")
    except (EOFError, gzip.BadGzipFile, zipfile.BadZipFile, OSError) as exc:
        yield Item(source, "", error=f"the compressed file is damaged or truncated: {exc}")


def _deferred_file(data: bytes, source: str) -> Iterator[Item]:
    """A small JSON file, left for a worker to decode when it holds one study."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        yield Item(source, "", error="not a text file (it is not UTF-8): not JSON")
        return
    body = text.lstrip()
    if body.startswith("{") and not _STUDIES_KEY.match(body):
        line = len((text[: len(text) - len(body)] + "x").splitlines())  # as the reader counts
        yield Item(source, f"line {line}", text=text, whole_file=True)
    else:
        yield from iter_text(io.StringIO(text), source)


def _iter_zip(
    raw: IO[bytes], source: str, deferred: bool = False, allowance: Allowance | None = None
) -> Iterator[Item]:
    allowance = allowance or Allowance(None)
    try:
        archive = zipfile.ZipFile(raw)
    except zipfile.BadZipFile as exc:
        yield Item(source, "", error=f"not a readable ZIP file: {exc}")
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir() or not info.filename.lower().endswith((".json", ".jsonl", ".ndjson")):
                continue
            member = f"{source}:{info.filename}"
            try:
                if deferred and info.filename.lower().endswith(".json"):
                    if (
                        info.file_size <= MAX_RECORD_BYTES
                    ):  # a file per study, as in the bulk download
                        allowance.spend(info.file_size)  # reads stop at the size declared
                        try:
                            data = archive.read(info)
                        except (EOFError, zipfile.BadZipFile, OSError) as exc:
                            message = f"the compressed file is damaged or truncated: {exc}"
                            yield Item(member, "", error=message)
                            continue
                        yield from _deferred_file(data, member)
                        continue
                with archive.open(info) as fp:
                    text = _open_text(_metered(fp, allowance))
                    yield from _guard(iter_text(text, member, deferred), member)
            except (zipfile.BadZipFile, OSError) as exc:
                yield Item(member, "", error=f"damaged ZIP member: {exc}")


def iter_paths(
    paths: list[str | Path], deferred: bool = False, max_bytes: int | None = None
) -> Iterator[Item]:
    """Every study in the given files and directories (walked in name order); max_bytes
    bounds what each file may hold uncompressed (uploads)."""
    for path in map(Path, paths):
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    if not name.startswith("."):
                        yield from iter_file(Path(root) / name, deferred, max_bytes)
        elif path.exists():
            yield from iter_file(path, deferred, max_bytes)
        else:
            yield Item(str(path), "", error="no such file or directory")
