"""Issue 22, part 3: one downloader for the treebank and the pretrained sets (local servers on
127.0.0.1 only), and messages that keep the real error's words."""
import gzip
import hashlib
import http.server
import json
import os
import threading
import time
import zlib

import numpy as np
import pytest

from w2v_lib.vectors.pretrained import PretrainedUnavailable, download_pretrained, pretrained_path

NAME = "glove-wiki-gigaword-50"


class Scripted(http.server.BaseHTTPRequestHandler):
    """list.json from `catalogue`; the set's .gz as `body`, declaring `length`, `delay` seconds a byte."""
    catalogue, body, length, delay = {}, b"", None, 0.0

    def do_GET(self):
        if self.path.endswith("list.json"):
            data = json.dumps(self.catalogue).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(self.length if self.length is not None else len(self.body)))
        self.end_headers()
        try:
            if self.delay:
                for i in range(len(self.body)):
                    self.wfile.write(self.body[i:i + 1])
                    self.wfile.flush()
                    time.sleep(self.delay)
            else:
                self.wfile.write(self.body)
        except OSError:  # the client hung up
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def serve(monkeypatch):
    """serve(body, length=None, delay=0.0) → the download options for a server on 127.0.0.1."""
    servers = []

    def start(body, length=None, delay=0.0):
        md5 = hashlib.md5(body).hexdigest()
        handler = type("Handler", (Scripted,), dict(catalogue={"models": {NAME: {"checksum": md5, "parts": 1}}},
                                                    body=body, length=length, delay=delay))
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        return dict(catalogue_url=f"{base}/list.json", download_url=f"{base}/download", timeout=5)

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_a_server_sending_one_byte_a_second_is_cut_off_at_the_deadline(serve, tmp_path):
    """Before: a 1 byte/s server held the pretrained download 120 s past deadline=10, and left an
    owner-only .part behind."""
    options = serve(gzip.compress(b"2 2\na 1 2\nb 3 4\n" * 50), delay=1.0)
    began = time.monotonic()
    with pytest.raises(PretrainedUnavailable, match=r"did not finish within 1.5 s.*by hand"):
        download_pretrained(NAME, tmp_path, deadline=1.5, **options)
    assert time.monotonic() - began < 6
    assert leftovers(tmp_path / "pretrained") == []


def test_a_huge_declared_size_is_refused_before_a_byte_is_written(serve, tmp_path):
    """Before: a Content-Length of 10¹⁵ was accepted, and 1 GiB written before the md5 failed."""
    options = serve(b"x" * 1000, length=10**15)
    with pytest.raises(PretrainedUnavailable, match=r"is 1,000,000,000,000,000 bytes, more than the .* expected"):
        download_pretrained(NAME, tmp_path, **options)
    assert leftovers(tmp_path / "pretrained") == []


def test_a_gzip_that_unpacks_too_large_is_refused_and_not_cached(serve, tmp_path):
    """Before: a 3 MB gzip expanding to 3 GiB gave a bare MemoryError and stayed cached."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # a gzip stream, built without 64 MiB in memory at once
    block = b"\0" * (1 << 20)
    bomb = b"".join(packer.compress(block) for _ in range(64)) + packer.flush()  # 64 MiB in about 64 KB
    options = serve(bomb)
    with pytest.raises(ValueError, match=r"would unpack to more than 16,777,216 bytes .*refused, not kept"):
        download_pretrained(NAME, tmp_path, max_unpacked=16 << 20, **options)
    assert leftovers(tmp_path / "pretrained") == [] and not pretrained_path(NAME, tmp_path).exists()


def test_the_md5_and_the_files_of_earlier_downloaders(serve, tmp_path):
    good = gzip.compress(b"2 2\na 1 2\nb 3 4\n")
    options = serve(good)
    folder = tmp_path / "pretrained"
    folder.mkdir()
    old_part = folder / f"{NAME}.gz.abc123.part"  # what mkstemp left, owner-only, before this change
    old_part.write_bytes(b"half")
    old_part.chmod(0o600)
    path = download_pretrained(NAME, tmp_path, **options)
    assert leftovers(folder) == [path.name] and path.read_bytes() == good
    assert path.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_load_word2vec_reads_a_gz_with_a_bound_even_with_limit_1(tmp_path):
    """Before: one endless line in a .gz was read whole (gigabytes), even with limit=1."""
    import tracemalloc

    from w2v_lib import load_word2vec

    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    path = tmp_path / "endless.txt.gz"
    path.write_bytes(packer.compress(b"3 2\nword ") + b"".join(packer.compress(b"1" * (1 << 20)) for _ in range(64))
                     + packer.flush())
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"endless.txt.gz, line 2: longer than [\d,]+ bytes"):
            load_word2vec(path, limit=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


def test_vectors_that_are_not_finite_are_named_by_file_and_row(tmp_path):
    from w2v_lib import load_word2vec

    path = tmp_path / "v.txt"
    path.write_text("3 2\na 1 2\nb nan 4\nc 5 inf\n")
    with pytest.raises(ValueError, match=r"v.txt: vectors must be finite; row 2 \(word 'b'\) .*2 such rows"):
        load_word2vec(path)


def test_save_word2vec_gives_the_users_permissions(tmp_path):
    """Before: save_word2vec called directly wrote owner-only files (mkstemp)."""
    from w2v_lib import save_word2vec

    old = os.umask(0o022)
    try:
        path = save_word2vec(tmp_path / "v.txt", ["a", "b"], np.ones((2, 2)))
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644 and leftovers(tmp_path) == ["v.txt"]


def test_a_truncated_treebank_download_keeps_the_real_words(tmp_path, capsys, truncating_server):
    """Before: `error: [Errno None] None: '…zip'` (the rename code replaced the message)."""
    from w2v_lib.__main__ import main

    code = main(["download", "--data-dir", str(tmp_path / "d"), "--url", f"{truncating_server}/x.zip",
                 "--no-progress", "--timeout", "5"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "Errno None" not in err and "stopped after 102 of 100,000 bytes" in err


def test_the_treebanks_encoding_error_names_file_and_line(tmp_path):
    from w2v_lib.corpora import read_sentences
    from w2v_lib.corpora.sst import SENTENCES_FILE

    path = tmp_path / SENTENCES_FILE
    path.write_bytes(b"sentence_index\tsentence\n1\tfine\n2\tcaf\xe9 noir\n")
    with pytest.raises(ValueError, match=rf"{SENTENCES_FILE}, line 3: byte b'\\xe9' at column 6 is not UTF-8"):
        read_sentences(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_names_config_json_not_the_temporary_file(tmp_path):
    from support.training import tiny_train

    from w2v_lib.assignment import RunWriteError

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / ".w2v-run").write_text('{"format": 1}')
    (run_dir / ".w2v-run.lock").write_text("")
    run_dir.chmod(0o555)
    try:
        named = r"(config\.json|\.w2v-run|\.w2v-run\.lock)"  # a file of the run, never a temporary one
        with pytest.raises(RunWriteError, match=rf"permission denied \(.*run/{named}\)$"):
            tiny_train(run_dir)
    finally:
        run_dir.chmod(0o755)


def test_the_atomic_writer_names_the_target_for_the_os_errors_of_its_temporary_file(tmp_path, monkeypatch):
    import errno

    from w2v_lib import _files

    real_open = os.open

    def refusing(path, *args, **kw):
        if str(path).endswith(".tmp"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, *args, **kw)

    monkeypatch.setattr(_files.os, "open", refusing)
    with pytest.raises(OSError) as err:
        with _files.atomic_file(tmp_path / "config.json") as fh:
            fh.write(b"{}")
    assert err.value.filename == str(tmp_path / "config.json")
    assert _files.describe_os_error(err.value) == f"the file system is read-only ({tmp_path / 'config.json'})"
