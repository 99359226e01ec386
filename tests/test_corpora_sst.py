"""The treebank reader (with its encoding repair), locating it, and downloading it from a local server."""
import hashlib
import http.server
import io
import socket
import threading
import time
import zipfile
from functools import partial

import pytest

from w2v_lib import SSTNotFoundError, download_sst, find_sst
from w2v_lib.corpora.sst import (
    EXPECTED_MEMBERS,
    FOLDER_NAME,
    OFFICIAL_URL,
    SENTENCES_FILE,
    ZIP_NAME,
    SSTDownloadError,
    SSTVerificationError,
    read_sentences,
    repair_mojibake,
)

# Double-encoded as in the real file: UTF-8 bytes read as Latin-1, written as UTF-8 again.
MOJIBAKE = "clichés from Amélie and Münch".encode().decode("latin-1")
LINES = [
    "1\tThe Rock is destined to be the 21st Century 's new `` Conan '' .",
    f"2\tA {MOJIBAKE} -LRB- sort of -RRB- film",
    "3\tIt does n't work , café included .",  # already clean UTF-8: must stay as it is
]


def write_sentences_file(folder, lines=LINES):
    folder.mkdir(parents=True, exist_ok=True)
    text = "sentence_index\tsentence\n" + "\n".join(lines) + "\n"
    (folder / SENTENCES_FILE).write_bytes(text.encode("utf-8"))
    return folder


def test_repair_mojibake_undoes_the_double_encoding_only():
    assert MOJIBAKE.startswith("clichÃ©s")
    assert repair_mojibake(MOJIBAKE) == "clichés from Amélie and Münch"
    for clean in ("café", "plain ascii", "price 5 €", "naïve"):
        assert repair_mojibake(clean) == clean


def test_read_sentences_lowercases_keeps_treebank_tokens_and_repairs(tmp_path):
    folder = write_sentences_file(tmp_path / "sst")
    sentences = read_sentences(folder)
    assert sentences[0][:3] == ["the", "rock", "is"] and "``" in sentences[0] and "'s" in sentences[0]
    assert sentences[1] == ["a", "clichés", "from", "amélie", "and", "münch", "-lrb-", "sort", "of", "-rrb-", "film"]
    assert "n't" in sentences[2] and "café" in sentences[2]
    assert not any("Ã" in w or "ã" in w for s in sentences for w in s)
    assert read_sentences(folder / SENTENCES_FILE) == sentences
    assert "clichã©s" in read_sentences(folder, repair=False)[1]  # what the 2019+ loader sees


def test_read_sentences_rejects_a_file_without_the_header(tmp_path):
    (tmp_path / SENTENCES_FILE).write_text("1\tno header here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        read_sentences(tmp_path)
    with pytest.raises(SSTNotFoundError):
        read_sentences(tmp_path / "nowhere")


def test_find_sst_order_argument_env_then_data_dir(tmp_path, monkeypatch):
    arg, env, data = tmp_path / "arg", tmp_path / "env", tmp_path / "data"
    write_sentences_file(arg)
    write_sentences_file(env)
    write_sentences_file(data / FOLDER_NAME)
    monkeypatch.setenv("W2V_DATA_DIR", str(data))
    monkeypatch.setenv("W2V_SST_DIR", str(env))
    assert find_sst(arg) == arg
    assert find_sst() == env
    monkeypatch.delenv("W2V_SST_DIR")
    assert find_sst() == data / FOLDER_NAME
    assert find_sst(data) == data / FOLDER_NAME  # a folder holding the unzipped treebank folder is fine too


def test_find_sst_explains_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("W2V_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("W2V_SST_DIR", raising=False)
    with pytest.raises(SSTNotFoundError) as err:
        find_sst()
    message = str(err.value)
    assert OFFICIAL_URL in message and "python -m w2v_lib download" in message and ZIP_NAME in message
    assert isinstance(err.value, FileNotFoundError)
    write_sentences_file(tmp_path / FOLDER_NAME)
    monkeypatch.setenv("W2V_SST_DIR", str(tmp_path / "typo"))
    with pytest.raises(SSTNotFoundError, match="W2V_SST_DIR"):  # never falls through to another copy
        find_sst()


def build_zip(members=EXPECTED_MEMBERS, sentences=None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in members:
            body = sentences if name == SENTENCES_FILE else b"x|0.5\n"
            zf.writestr(f"{FOLDER_NAME}/{name}", body)
        zf.writestr("__MACOSX/._junk", b"junk")  # the official zip carries such entries: ignored
    return buf.getvalue()


SENTENCES_BYTES = ("sentence_index\tsentence\n" + "\n".join(LINES) + "\n").encode("utf-8")
SENTENCES_SHA = hashlib.sha256(SENTENCES_BYTES).hexdigest()


@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 serving files from a folder; yields (folder, base url)."""
    root = tmp_path / "www"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_download_fetches_verifies_and_unpacks(server, tmp_path):
    root, base = server
    (root / ZIP_NAME).write_bytes(build_zip(sentences=SENTENCES_BYTES))
    data = tmp_path / "data"
    folder = download_sst(data, url=f"{base}/{ZIP_NAME}", progress=True, sha256=SENTENCES_SHA)
    assert folder == data / FOLDER_NAME
    assert (folder / SENTENCES_FILE).read_bytes() == SENTENCES_BYTES
    assert find_sst(data) == folder
    assert sorted(p.name for p in data.iterdir()) == [FOLDER_NAME]  # zip removed, nothing half-written


def test_download_rejects_a_wrong_checksum_a_bad_zip_and_missing_members(server, tmp_path):
    root, base = server
    cases = {"wrong.zip": (build_zip(sentences=SENTENCES_BYTES), "sha256"),
             "broken.zip": (b"this is not a zip", "not a valid zip"),
             "partial.zip": (build_zip(members=[SENTENCES_FILE], sentences=SENTENCES_BYTES), "lacks")}
    for name, (body, message) in cases.items():
        (root / name).write_bytes(body)
        data = tmp_path / name.replace(".zip", "")
        with pytest.raises(SSTVerificationError, match=message):
            download_sst(data, url=f"{base}/{name}", progress=False, sha256="0" * 64)
        assert not (data / FOLDER_NAME).exists() and not (data / ZIP_NAME).exists()
        assert [p.name for p in data.iterdir()] == []


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # released on close: nothing listens there


def test_offline_download_says_where_to_put_the_file(tmp_path):
    data = tmp_path / "data"
    with pytest.raises(SSTDownloadError) as err:
        download_sst(data, url=f"http://127.0.0.1:{_closed_port()}/{ZIP_NAME}", progress=False, timeout=5)
    message = str(err.value)
    assert "could not download" in message and str(data / ZIP_NAME) in message and OFFICIAL_URL in message
    assert isinstance(err.value, SSTNotFoundError)
    assert list(data.iterdir()) == []  # no half-written zip


def test_a_zip_put_there_by_hand_is_used_without_network(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / ZIP_NAME).write_bytes(build_zip(sentences=SENTENCES_BYTES))
    folder = download_sst(data, url=f"http://127.0.0.1:{_closed_port()}/x.zip", progress=False,
                          sha256=SENTENCES_SHA, keep_zip=True)
    assert read_sentences(folder)[1][1] == "clichés"
    assert (data / ZIP_NAME).is_file()


def test_a_truncated_transfer_leaves_no_zip(tmp_path, truncating_server):
    data = tmp_path / "data"
    with pytest.raises((SSTDownloadError, SSTVerificationError)):
        download_sst(data, url=f"{truncating_server}/{ZIP_NAME}", progress=False, timeout=5)
    assert list(data.iterdir()) == []


def test_find_sst_downloads_into_the_data_dir_only_when_asked(tmp_path, monkeypatch):
    import w2v_lib.corpora.sst as sst

    monkeypatch.delenv("W2V_SST_DIR", raising=False)
    monkeypatch.setenv("W2V_DATA_DIR", str(tmp_path))
    with pytest.raises(SSTNotFoundError, match="W2V_SST_DIR"):
        find_sst()
    fetched = []
    monkeypatch.setattr(sst, "download_sst", lambda data_dir: fetched.append(data_dir) or data_dir / "x")
    assert find_sst(download=True) == tmp_path / "x"
    assert fetched == [tmp_path]


# --- download faults (issue 9, part 3) ----------------------------------------------------------------

def corrupt(body: bytes, marker: bytes) -> bytes:
    """The zip with one byte of a stored member's data flipped: its CRC no longer matches."""
    at = body.index(marker) + 3
    return body[:at] + bytes([body[at] ^ 0xFF]) + body[at + 1:]


def zip_with(entries) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, body in entries:
            zf.writestr(name, body)
    return buf.getvalue()


GOOD = [(f"{FOLDER_NAME}/{m}", SENTENCES_BYTES if m == SENTENCES_FILE else b"x|0.5\n") for m in EXPECTED_MEMBERS]


def test_a_corrupt_archive_is_reported_deleted_and_downloaded_again(server, tmp_path):
    root, base = server
    good = build_zip(sentences=SENTENCES_BYTES)
    (root / ZIP_NAME).write_bytes(corrupt(good, b"The Rock"))
    data = tmp_path / "data"
    with pytest.raises(SSTVerificationError, match=f"damaged .*{SENTENCES_FILE}.*CRC.*it was deleted"):
        download_sst(data, url=f"{base}/{ZIP_NAME}", progress=False, sha256=SENTENCES_SHA)
    assert list(data.iterdir()) == []
    (root / ZIP_NAME).write_bytes(good)  # the next attempt fetches again: nothing bad is reused
    assert download_sst(data, url=f"{base}/{ZIP_NAME}", progress=False, sha256=SENTENCES_SHA) == data / FOLDER_NAME


@pytest.mark.parametrize("extra, match", [
    ([(f"{FOLDER_NAME}/{SENTENCES_FILE}", b"second copy")], "clashing members"),
    ([(f"{FOLDER_NAME}/DICTIONARY.TXT", b"x")], "clashing members"),
    ([(f"{FOLDER_NAME}/dictionary.txt/inside", b"x")], "both as a file and as a folder"),
    ([(f"{FOLDER_NAME}/../escape.txt", b"x")], "unsafe member name"),
])
def test_clashing_or_unsafe_members_are_refused_before_unpacking(tmp_path, extra, match):
    data = tmp_path / "data"
    data.mkdir()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name it is asked to write
        (data / ZIP_NAME).write_bytes(zip_with(GOOD + extra))
    with pytest.raises(SSTVerificationError, match=match):
        download_sst(data, url="http://127.0.0.1:9/unused", progress=False, sha256=None)
    assert list(data.iterdir()) == []


def test_the_declared_sizes_are_checked_before_anything_is_written(server, tmp_path, monkeypatch):
    import w2v_lib.corpora.sst as sst

    root, base = server
    (root / ZIP_NAME).write_bytes(build_zip(sentences=SENTENCES_BYTES))
    monkeypatch.setattr(sst, "MAX_ZIP", 100)
    data = tmp_path / "data"
    with pytest.raises(SSTDownloadError, match="more than the 100 expected: not downloaded"):
        download_sst(data, url=f"{base}/{ZIP_NAME}", progress=False, sha256=SENTENCES_SHA)
    assert list(data.iterdir()) == []
    monkeypatch.setattr(sst, "MAX_ZIP", 1 << 20)
    monkeypatch.setattr(sst, "MAX_UNPACKED", 10)
    with pytest.raises(SSTVerificationError, match=r"declares \d+ bytes unpacked, more than the 10 expected"):
        download_sst(data, url=f"{base}/{ZIP_NAME}", progress=False, sha256=SENTENCES_SHA)
    assert list(data.iterdir()) == []


def test_a_full_disk_is_reported_and_leaves_no_partial_file(server, tmp_path, monkeypatch):
    import errno
    import shutil

    import w2v_lib._files as files
    import w2v_lib.corpora.download as download

    root, base = server
    (root / ZIP_NAME).write_bytes(build_zip(sentences=SENTENCES_BYTES))
    data = tmp_path / "data"

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as m:  # while the zip is saved
        m.setattr(files.os, "fsync", full)
        with pytest.raises(SSTDownloadError, match=f"could not save .*: the disk is full .*{ZIP_NAME}"):
            download_sst(data, url=f"{base}/{ZIP_NAME}", progress=False, sha256=SENTENCES_SHA)
    assert list(data.iterdir()) == []
    (data / ZIP_NAME).write_bytes(build_zip(sentences=SENTENCES_BYTES))  # as if downloaded (no server from here)
    with monkeypatch.context() as m:  # while it is unpacked: the staging folder goes, the good zip stays
        m.setattr("w2v_lib.corpora.sst.shutil.copyfileobj", full)
        with pytest.raises(SSTDownloadError, match="could not unpack .*the disk is full.*the zip is kept"):
            download_sst(data, url="http://127.0.0.1:9/unused", progress=False, sha256=SENTENCES_SHA)
    assert [p.name for p in data.iterdir()] == [ZIP_NAME]
    with monkeypatch.context() as m:  # the declared unpacked size is more than the disk has free
        m.setattr(download.shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**9, 10**9 - 5, 5))
        with pytest.raises(SSTDownloadError, match=r"could not unpack .*the disk is full"):
            download_sst(data, url="http://127.0.0.1:9/unused", progress=False, sha256=SENTENCES_SHA)
    assert [p.name for p in data.iterdir()] == [ZIP_NAME]
    assert download_sst(data, url="http://127.0.0.1:9/unused", progress=False, sha256=SENTENCES_SHA).is_dir()


class Trickle(http.server.BaseHTTPRequestHandler):
    """Declares 1000 bytes and sends one every 0.1 s; with `headers_too`, the status line trickles as well."""
    headers_too = False

    def do_GET(self):
        head = b"HTTP/1.0 200 OK\r\nContent-Length: 1000\r\n\r\n"
        try:
            if self.headers_too:
                for i in range(len(head)):
                    self.wfile.write(head[i:i + 1])
                    self.wfile.flush()
                    time.sleep(0.1)
            else:
                self.wfile.write(head)
            for _ in range(1000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:  # the client hung up: what the test wants
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def trickle():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("headers_too", [False, True])
def test_a_server_that_trickles_is_cut_off_at_the_deadline(trickle, tmp_path, monkeypatch, headers_too):
    monkeypatch.setattr(Trickle, "headers_too", headers_too)
    data = tmp_path / "data"
    began = time.monotonic()
    with pytest.raises(SSTDownloadError, match=r"did not finish within 1.5 s"):
        download_sst(data, url=f"http://127.0.0.1:{trickle.server_address[1]}/{ZIP_NAME}", progress=False,
                     timeout=5, deadline=1.5)
    assert time.monotonic() - began < 5  # the per-read timeout alone would never end it
    assert list(data.iterdir()) == []


def test_an_interrupted_download_or_unpack_leaves_nothing_half_done(trickle, tmp_path, monkeypatch):
    import _thread

    data = tmp_path / "data"
    threading.Timer(0.5, _thread.interrupt_main).start()  # Ctrl-C while bytes arrive
    with pytest.raises(KeyboardInterrupt):
        download_sst(data, url=f"http://127.0.0.1:{trickle.server_address[1]}/{ZIP_NAME}", progress=False,
                     timeout=5, deadline=30)
    assert list(data.iterdir()) == []
    (data / ZIP_NAME).write_bytes(build_zip(sentences=SENTENCES_BYTES))

    def interrupted(*args):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr("w2v_lib.corpora.sst.shutil.copyfileobj", interrupted)
        with pytest.raises(KeyboardInterrupt):
            download_sst(data, url="http://127.0.0.1:9/unused", progress=False, sha256=SENTENCES_SHA)
    assert [p.name for p in data.iterdir()] == [ZIP_NAME]  # the staging folder is gone


def test_what_a_killed_download_left_is_removed_on_the_next_start(server, tmp_path):
    root, base = server
    (root / ZIP_NAME).write_bytes(build_zip(sentences=SENTENCES_BYTES))
    data = tmp_path / "data"
    (data / ".sst-unpack-abc123" / FOLDER_NAME).mkdir(parents=True)
    (data / f"{ZIP_NAME}.0a1b2c3d4e5f.tmp").write_bytes(b"PK half")
    (data / "unrelated.tmp").write_bytes(b"not ours")
    download_sst(data, url=f"{base}/{ZIP_NAME}", progress=False, sha256=SENTENCES_SHA)
    assert sorted(p.name for p in data.iterdir()) == [FOLDER_NAME, "unrelated.tmp"]


def test_the_download_command_prints_one_line(tmp_path, capsys):
    from w2v_lib.__main__ import main

    code = main(["download", "--data-dir", str(tmp_path / "d"), "--url", f"http://127.0.0.1:{_closed_port()}/x.zip",
                 "--no-progress", "--timeout", "5"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: could not download") and err.count("\n") == 1
