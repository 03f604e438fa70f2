"""nndl.datasets.base: the one dataset mechanism (sources in order, checksums, atomic caches, errors)."""
import hashlib
import multiprocessing
import os
import pickle
import sys
from pathlib import Path

import pytest

from nndl.datasets import base

PAYLOAD = b"label,text\n1,good\n0,bad\n" * 50
SHA = "sha256:" + hashlib.sha256(PAYLOAD).hexdigest()
MD5 = "md5:" + hashlib.md5(PAYLOAD).hexdigest()


@pytest.fixture
def env(tmp_path, monkeypatch):
    """No NNDL_DATA, HOME and paddle's cache inside tmp_path."""
    monkeypatch.delenv("NNDL_DATA", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    paddle_home = tmp_path / "paddle"
    monkeypatch.setattr(base, "paddle_data_home", lambda: paddle_home)
    return tmp_path


def spec(**kw):
    kw.setdefault("checksum", SHA)
    return base.DataFile("toyset", "toy.csv", paddle_subdir="toy", title="Toy", how_to="put toy.csv in $NNDL_DATA",
                         **kw)


def write(path, data=PAYLOAD):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def fake_distribution(root, monkeypatch, name="toydata", rel="toydata/files/toy.csv", data=PAYLOAD):
    """A real installed distribution (dist-info with RECORD) on sys.path that ships ``rel``."""
    write(root / rel, data)
    info = root / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "RECORD").write_text(f"{rel},,\n{name}-1.0.dist-info/METADATA,,\n")
    monkeypatch.syspath_prepend(str(root))
    return root / rel


def test_each_source_is_found(env, monkeypatch):
    s = spec(package=("toydata", "toydata/files/toy.csv"))
    # 5. a registry package (found through its file list, not imported)
    pkg = fake_distribution(env / "site", monkeypatch)
    assert base.locate(s) == pkg
    # 4. paddle's cache comes before the package
    paddle_copy = write(base.paddle_data_home() / "toy" / "toy.csv")
    assert base.locate(s) == paddle_copy
    # 3. nndl's cache (~/.cache/nndl/toyset) before paddle's
    own = write(Path(os.environ["HOME"]) / ".cache" / "nndl" / "toyset" / "toy.csv")
    assert base.cache_dir("toyset") == own.parent
    assert base.locate(s) == own
    # 2. $NNDL_DATA/<dataset>/ and $NNDL_DATA/ before the rest (NNDL_DATA is also nndl's cache root)
    data = env / "data"
    monkeypatch.setenv("NNDL_DATA", str(data))
    nested = write(data / "toyset" / "toy.csv")
    assert base.locate(s) == nested
    flat = write(data / "toy.csv")
    assert base.locate(s) == flat
    # 1. an explicit path wins over everything
    explicit = write(env / "mine.csv")
    assert base.locate(s, path=explicit) == explicit


def test_md5_checksums_work(env, monkeypatch):
    monkeypatch.setenv("NNDL_DATA", str(env / "data"))
    good = write(env / "data" / "toy.csv")
    assert base.locate(spec(checksum=MD5)) == good


def test_checksum_mismatch_and_truncated_files_are_skipped_and_reported(env, monkeypatch):
    monkeypatch.setenv("NNDL_DATA", str(env / "data"))
    corrupt = write(env / "data" / "toy.csv", PAYLOAD.replace(b"good", b"gold"))
    truncated = write(base.paddle_data_home() / "toy" / "toy.csv", PAYLOAD[:40])
    pkg = fake_distribution(env / "site", monkeypatch)
    s = spec(package=("toydata", "toydata/files/toy.csv"))
    assert base.locate(s) == pkg                           # the first good copy, after two bad ones
    assert corrupt.exists() and truncated.exists()         # the user's and paddle's files are left alone
    pkg.write_bytes(PAYLOAD[:-1])                           # now nothing is good
    with pytest.raises(base.DataNotFoundError) as info:
        base.locate(s)
    msg = str(info.value)
    assert msg.count("checksum mismatch") == 3
    assert "40 bytes" in msg and f"{len(PAYLOAD) - 1} bytes" in msg


def test_corrupt_copy_in_nndl_cache_is_removed(env):
    own = write(base.cache_dir("toyset") / "toy.csv", b"garbage")
    with pytest.raises(base.DataNotFoundError):
        base.locate(spec())
    assert not own.exists()


def test_error_names_every_source_in_order_and_how_to_supply(env, monkeypatch):
    monkeypatch.setenv("NNDL_DATA", str(env / "data"))
    s = spec(package=("toydata-missing", "x/toy.csv"), url="https://example.invalid/toy.csv")
    with pytest.raises(FileNotFoundError) as info:          # a FileNotFoundError for callers that expect one
        base.locate(s)
    err = info.value
    assert isinstance(err, base.DataNotFoundError)
    sources = [source for source, _ in err.tried]
    assert sources == ["$NNDL_DATA", "$NNDL_DATA", "paddle cache", "package toydata-missing", "download"]
    msg = str(err)
    assert msg.startswith("Toy: no valid copy of toy.csv found")
    assert "not asked (pass download=True)" in msg and "put toy.csv in $NNDL_DATA" in msg
    positions = [msg.index(f"{i}. ") for i in range(1, 6)]
    assert positions == sorted(positions)
    assert str(pickle.loads(pickle.dumps(err))) == msg     # survives DataLoader worker processes


def test_explicit_path_is_the_only_source_tried(env, monkeypatch):
    monkeypatch.setenv("NNDL_DATA", str(env / "data"))
    write(env / "data" / "toy.csv")                         # a good copy elsewhere is NOT used silently
    bad = write(env / "mine.csv", b"nope")
    with pytest.raises(base.DataNotFoundError) as info:
        base.locate(spec(), path=bad)
    assert [s for s, _ in info.value.tried] == ["explicit path"]
    with pytest.raises(base.DataNotFoundError, match="not found"):
        base.locate(spec(), path=env / "absent.csv")


def test_download_only_when_asked(env, monkeypatch):
    calls = []

    def fake_download(s):
        calls.append(s.url)
        return write(base.paddle_data_home() / "toy" / "dl.csv")

    monkeypatch.setattr(base, "_download", fake_download)
    s = spec(url="https://example.invalid/toy.csv")
    with pytest.raises(base.DataNotFoundError):
        base.locate(s)                                     # default: no network
    with pytest.raises(base.DataNotFoundError):
        base.locate(s, download=False)
    assert calls == []
    assert base.locate(s, download=True).name == "dl.csv" and len(calls) == 1
    monkeypatch.setattr(base, "probe", lambda url, timeout=3.0: False)
    with pytest.raises(base.DataNotFoundError, match="server not reachable"):
        base.locate(spec(url="https://example.invalid/toy.csv", auto_download=True))
    assert len(calls) == 1


def test_a_bad_download_is_reported(env, monkeypatch):
    monkeypatch.setattr(base, "_download", lambda s: write(env / "dl.csv", b"html error page"))
    with pytest.raises(base.DataNotFoundError, match="checksum mismatch"):
        base.locate(spec(url="https://example.invalid/toy.csv"), download=True)

    def offline(s):
        raise ConnectionError("no route to host")

    monkeypatch.setattr(base, "_download", offline)
    with pytest.raises(base.DataNotFoundError, match="ConnectionError: no route to host"):
        base.locate(spec(url="https://example.invalid/toy.csv"), download=True)


def test_bad_checksum_spec_is_rejected():
    with pytest.raises(ValueError, match="checksum"):
        base.DataFile("x", "x.csv", checksum="crc32:1234")


def test_atomic_write_leaves_target_untouched_on_error(tmp_path):
    target = write(tmp_path / "out.bin", b"old")
    with pytest.raises(RuntimeError):
        with base.atomic_write(target) as f:
            f.write(b"partial")
            raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


def test_cached_builds_once_and_rebuilds_a_corrupt_copy(env):
    builds = []

    def build(f):
        builds.append(1)
        f.write(PAYLOAD)

    path = base.cached("toyset", "built.csv", build, checksum=SHA)
    assert path.read_bytes() == PAYLOAD and path.parent == base.cache_dir("toyset")
    assert base.cached("toyset", "built.csv", build, checksum=SHA) == path and len(builds) == 1
    path.write_bytes(PAYLOAD[:10])                          # truncated by a crash, say
    assert base.cached("toyset", "built.csv", build, checksum=SHA).read_bytes() == PAYLOAD
    assert len(builds) == 2
    with pytest.raises(ValueError, match="does not verify"):
        base.cached("toyset", "wrong.csv", lambda f: f.write(b"x"), checksum=SHA)


def test_unwritable_cache_falls_back_with_a_warning(env, monkeypatch):
    blocker = write(env / "not-a-folder", b"")             # NNDL_DATA is a file: its cache cannot be made
    monkeypatch.setenv("NNDL_DATA", str(blocker))
    with pytest.warns(RuntimeWarning, match="cannot write the toyset cache"):
        path = base.cached("toyset", "built.csv", lambda f: f.write(PAYLOAD), checksum=SHA)
    try:
        assert path.read_bytes() == PAYLOAD
    finally:
        path.unlink()


def _fill(args):
    data_home, delay = args
    os.environ["NNDL_DATA"] = data_home
    import time

    from nndl.datasets import base as b

    def build(f):
        for i in range(0, len(PAYLOAD), 100):              # slow, chunked writes that interleave
            f.write(PAYLOAD[i:i + 100])
            time.sleep(delay)

    return str(b.cached("toyset", "race.csv", build, checksum=SHA))


def test_two_processes_filling_the_cache_at_once(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        paths = pool.map(_fill, [(str(tmp_path), 0.002), (str(tmp_path), 0.003)])
    target = tmp_path / "toyset" / "race.csv"
    assert paths == [str(target), str(target)]
    assert target.read_bytes() == PAYLOAD
    assert sorted(p.name for p in target.parent.iterdir()) == ["race.csv"]   # no temporary files left


def test_standin_notice_says_what_and_how():
    err = base.DataNotFoundError("CIFAR-10", "cifar-10-python.tar.gz", [("nndl cache", "not found")],
                                 "Put cifar-10-python.tar.gz\n   into $NNDL_DATA.")
    note = base.standin_notice("CIFAR-10", err)
    assert note.startswith("synthetic stand-in: CIFAR-10 not found")
    assert "To supply it: Put cifar-10-python.tar.gz into $NNDL_DATA." in note


def test_package_file_does_not_import_the_package(env, monkeypatch):
    path = fake_distribution(env / "site", monkeypatch, name="toydata2", rel="toydata2/toy.csv")
    write(env / "site" / "toydata2" / "__init__.py", b"raise RuntimeError('imported!')\n")
    assert base.package_file("toydata2", "toydata2/toy.csv") == path
    assert "toydata2" not in sys.modules
    assert base.package_file("toydata2", "toydata2/absent.csv") is None
    assert base.package_file("no-such-distribution", "x") is None
