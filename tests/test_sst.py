"""The treebank reader (with its encoding repair), locating it, and downloading it from a local server."""
import hashlib
import http.server
import io
import socket
import threading
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


def test_a_truncated_transfer_leaves_no_zip(tmp_path):
    class Liar(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"PK" + b"\0" * 100)  # then hang up early

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Liar)
    thread = threading.Thread(target=httpd.handle_request, daemon=True)
    thread.start()
    data = tmp_path / "data"
    with pytest.raises((SSTDownloadError, SSTVerificationError)):
        download_sst(data, url=f"http://127.0.0.1:{httpd.server_address[1]}/{ZIP_NAME}", progress=False, timeout=5)
    thread.join(5)
    httpd.server_close()
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
